//! Checking: names, types and block rules, producing the typed form of [`crate::ir`].
//!
//! Contract: every mistake becomes a `syn::Error` on the smallest token that shows it, phrased
//! as Stan users know it ("expected X, found Y"). Errors are collected, not thrown: after a
//! mistake the offending expression gets type [`Ty::Error`], which silences follow-on errors,
//! and checking goes on so that one compile reports every independent mistake. Constructs that
//! are valid Stan but not yet compiled by Tilde are reported as such.

use crate::builtins::{self, Builtin, Shape};
use crate::ir::*;
use crate::syntax::{self, BaseType, BinOp, BlockKind, Expr, ExprKind, Stmt, UnOp};
use proc_macro2::Span;
use std::collections::HashMap;
use syn::Ident;

mod ode;

/// The error sink: collects every error of one invocation.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    pub fn into_result(self) -> Result<(), syn::Error> {
        let mut iter = self.errors.into_iter();
        match iter.next() {
            None => Ok(()),
            Some(mut first) => {
                for e in iter {
                    first.combine(e);
                }
                Err(first)
            }
        }
    }
}

struct Checker {
    cx: Ctxt,
    vars: Vec<VarInfo>,
    scopes: Vec<HashMap<String, VarId>>,
    block: BlockKind,
    loop_depth: usize,
    functions: HashMap<String, FunSig>,
    /// The function whose body is being checked.
    current: Option<FunSig>,
    /// Set just before checking the whole value of an assignment or declaration: the one
    /// place where an ODE solver's result may appear. Taken by the next expression checked.
    whole_value: bool,
}

/// A user-defined function's signature.
#[derive(Clone)]
struct FunSig {
    name: Ident,
    kind: FunKind,
    ret: Option<Ty>,
    params: Vec<Ty>,
    /// Which parameters carry the `data` qualifier: their arguments may not depend on
    /// parameters, so the function takes them as plain numbers.
    data_only: Vec<bool>,
}

fn fun_kind(name: &str) -> FunKind {
    if name.ends_with("_lpdf") || name.ends_with("_lpmf") {
        FunKind::Density
    } else if name.ends_with("_lp") {
        FunKind::Lp
    } else if name.ends_with("_rng") {
        FunKind::Rng
    } else {
        FunKind::Plain
    }
}

fn fun_type(t: &syntax::FunType) -> Ty {
    let elem = match t.base {
        BaseType::Int => Ty::Int,
        BaseType::Real => Ty::Real,
        BaseType::Vector => Ty::Vector,
        BaseType::RowVector => Ty::RowVector,
        BaseType::Matrix => Ty::Matrix,
        _ => Ty::Error,
    };
    Ty::array_of(elem, t.array_dims)
}

/// Whether every path through `stmts` ends in a `return` (or a `reject`).
fn always_returns(stmts: &[TStmt]) -> bool {
    stmts.iter().any(|s| match s {
        TStmt::Return(_) | TStmt::Reject(..) | TStmt::FatalError(..) => true,
        TStmt::Block(b) => always_returns(b),
        TStmt::If { then, otherwise, .. } => always_returns(then) && always_returns(otherwise),
        _ => false,
    })
}

pub fn check_program(program: syntax::Program) -> (Program, Ctxt) {
    let mut ck = Checker {
        cx: Ctxt::default(),
        vars: Vec::new(),
        scopes: vec![HashMap::new()],
        block: BlockKind::Data,
        loop_depth: 0,
        functions: HashMap::new(),
        current: None,
        whole_value: false,
    };
    let mut out = Program {
        attrs: program.attrs,
        vis: program.vis,
        name: program.name,
        vars: Vec::new(),
        functions: Vec::new(),
        data: Vec::new(),
        transformed_data: Vec::new(),
        parameters: Vec::new(),
        transformed_parameters: Vec::new(),
        model: Vec::new(),
        generated: Vec::new(),
    };
    for block in program.blocks {
        ck.block = block.kind;
        if block.kind == BlockKind::Functions {
            out.functions = ck.check_functions(block.functions);
            continue;
        }
        match block.kind {
            BlockKind::Data | BlockKind::Parameters => {
                let mut decls = Vec::new();
                for stmt in block.stmts {
                    match stmt {
                        Stmt::Decl(d) => {
                            if let Some(init) = &d.init {
                                ck.cx.error(
                                    init.span,
                                    format!(
                                        "variables in the `{}` block cannot be given a value",
                                        block.kind.title()
                                    ),
                                );
                            }
                            if let Some(decl) = ck.check_decl(d, Origin::Field(block.kind)) {
                                decls.push(decl);
                            }
                        }
                        Stmt::Empty => {}
                        other => ck.cx.error(
                            stmt_span(&other).unwrap_or(block.span),
                            format!(
                                "the `{}` block holds declarations only, found a statement",
                                block.kind.title()
                            ),
                        ),
                    }
                }
                if block.kind == BlockKind::Data {
                    out.data = decls;
                } else {
                    for d in &mut decls {
                        ck.vars[d.var].origin = Origin::Output(BlockKind::Parameters);
                        ck.vars[d.var].ad = true;
                    }
                    out.parameters = decls;
                }
            }
            kind => {
                let origin = match kind {
                    BlockKind::TransformedData => Origin::Field(kind),
                    BlockKind::Model => Origin::Local,
                    _ => Origin::Output(kind),
                };
                // The model block's variables are local to it: later blocks cannot see them.
                let stmts = if kind == BlockKind::Model {
                    ck.with_scope(|ck| ck.check_top_stmts(block.stmts, origin))
                } else {
                    ck.check_top_stmts(block.stmts, origin)
                };
                match kind {
                    BlockKind::TransformedData => out.transformed_data = stmts,
                    BlockKind::TransformedParameters => out.transformed_parameters = stmts,
                    BlockKind::Model => out.model = stmts,
                    _ => out.generated = stmts,
                }
            }
        }
    }
    out.vars = ck.vars;
    (out, ck.cx)
}

fn stmt_span(stmt: &Stmt) -> Option<Span> {
    Some(match stmt {
        Stmt::Assign { op_span, .. } => *op_span,
        Stmt::Tilde { dist, .. } => dist.span(),
        Stmt::TargetPlus { span, .. } => *span,
        Stmt::For { var, .. } | Stmt::ForEach { var, .. } => var.span(),
        Stmt::While { cond, .. } | Stmt::If { cond, .. } => cond.span,
        Stmt::Break(s) | Stmt::Continue(s) | Stmt::Print(s, _) => *s,
        Stmt::Reject(s, ..) | Stmt::FatalError(s, ..) | Stmt::Return(s, _) => *s,
        Stmt::Call(e, _) => e.span,
        Stmt::Decl(d) => d.name.span(),
        Stmt::Block(_) | Stmt::Empty => return None,
    })
}

fn err_expr(span: Span) -> TExpr {
    TExpr { kind: TExprKind::Real(f64::NAN), ty: Ty::Error, ad: false, span }
}

impl Checker {
    fn lookup(&self, name: &str) -> Option<VarId> {
        self.scopes.iter().rev().find_map(|s| s.get(name).copied())
    }

    fn declare(&mut self, name: Ident, ty: Ty, ad: bool, origin: Origin) -> Option<VarId> {
        let key = name.to_string();
        if let Some(prev) = self.lookup(&key) {
            let what =
                if self.vars[prev].origin == Origin::Loop { "loop variable" } else { "variable" };
            self.cx.error(
                name.span(),
                format!(
                    "duplicate declaration of `{key}`: a {what} of that name is already declared"
                ),
            );
            return None;
        }
        let invalid = if key.ends_with("__") || key.starts_with('_') {
            Some(format!("`{key}`: Stan names may not start with `_` or end with `__`"))
        } else if builtins::is_reserved(&key) {
            Some(format!("`{key}` is a reserved word in Stan"))
        } else {
            None
        };
        // An invalid name is still declared, with an erroneous type, so that its uses are not
        // also reported as undeclared.
        let ty = if let Some(message) = &invalid {
            self.cx.error(name.span(), message);
            Ty::Error
        } else {
            ty
        };
        let id = self.vars.len();
        self.vars.push(VarInfo { name, ty, ad: ad && invalid.is_none(), origin });
        self.scopes.last_mut().expect("a scope is always open").insert(key, id);
        invalid.is_none().then_some(id)
    }

    fn with_scope<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.scopes.push(HashMap::new());
        let out = f(self);
        self.scopes.pop();
        out
    }

    /// Declarations at the top of a statement block are block variables (outputs or fields);
    /// everything nested is local.
    fn check_top_stmts(&mut self, stmts: Vec<Stmt>, origin: Origin) -> Vec<TStmt> {
        let mut out = Vec::new();
        for stmt in stmts {
            let checked = match stmt {
                Stmt::Decl(d) => self.check_decl(d, origin).map(TStmt::Decl),
                other => self.check_stmt(other),
            };
            out.extend(checked);
        }
        out
    }

    fn check_block(&mut self, stmts: Vec<Stmt>) -> Vec<TStmt> {
        self.with_scope(|ck| stmts.into_iter().filter_map(|s| ck.check_stmt(s)).collect())
    }

    fn check_body(&mut self, stmt: Stmt) -> Vec<TStmt> {
        match stmt {
            Stmt::Block(stmts) => self.check_block(stmts),
            other => self.with_scope(|ck| ck.check_stmt(other).into_iter().collect()),
        }
    }

    /// An expression used for a size or a data-block bound: an int that depends on data only.
    fn check_size_expr(&mut self, e: Expr, data_only: bool) -> TExpr {
        let t = self.check_expr(e);
        if !t.ty.is_error() && t.ty != Ty::Int {
            self.cx.error(t.span, format!("a size must be an `int`, found `{}`", t.ty.describe()));
        }
        let mut reads_non_data = t.ad;
        t.for_each_var(&mut |v| {
            reads_non_data |= !matches!(
                self.vars[v].origin,
                Origin::Field(_) | Origin::Loop | Origin::Local | Origin::Arg
            );
        });
        if data_only && reads_non_data {
            self.cx.error(t.span, "sizes in this block may only use data");
        }
        t
    }

    fn check_decl(&mut self, d: syntax::Decl, origin: Origin) -> Option<TDecl> {
        let syntax::Decl { ty, name, init, place } = d;
        let block_decl = matches!(origin, Origin::Field(_) | Origin::Output(_));
        let data_only_sizes =
            matches!(self.block, BlockKind::Data | BlockKind::Parameters) || block_decl;
        let array_dims: Vec<TExpr> =
            ty.array_dims.into_iter().map(|e| self.check_size_expr(e, data_only_sizes)).collect();
        let sizes: Vec<TExpr> =
            ty.sizes.into_iter().map(|e| self.check_size_expr(e, data_only_sizes)).collect();
        let mut vector_constraint = None;
        let mut matrix_constraint = None;
        let elem = match ty.base {
            BaseType::Int => Ty::Int,
            BaseType::Real => Ty::Real,
            BaseType::Vector => Ty::Vector,
            BaseType::RowVector => Ty::RowVector,
            BaseType::Simplex
            | BaseType::Ordered
            | BaseType::PositiveOrdered
            | BaseType::SumToZeroVector
            | BaseType::UnitVector => {
                vector_constraint = Some(match ty.base {
                    BaseType::Simplex => VectorConstraint::Simplex,
                    BaseType::Ordered => VectorConstraint::Ordered,
                    BaseType::PositiveOrdered => VectorConstraint::PositiveOrdered,
                    BaseType::SumToZeroVector => VectorConstraint::SumToZero,
                    _ => VectorConstraint::UnitVector,
                });
                if origin == Origin::Local {
                    self.cx.error(
                        ty.span,
                        format!(
                            "local variables cannot have the constrained type `{}`",
                            ty.base.name()
                        ),
                    );
                }
                if !matches!(ty.constraint, syntax::Constraint::None) {
                    self.cx.error(
                        ty.span,
                        format!(
                            "`{}` cannot take bounds, an offset or a multiplier",
                            ty.base.name()
                        ),
                    );
                }
                Ty::Vector
            }
            BaseType::Matrix => Ty::Matrix,
            BaseType::CholeskyFactorCorr
            | BaseType::CholeskyFactorCov
            | BaseType::CorrMatrix
            | BaseType::CovMatrix => {
                matrix_constraint = Some(match ty.base {
                    BaseType::CholeskyFactorCorr => MatrixConstraint::CholeskyFactorCorr,
                    BaseType::CholeskyFactorCov => MatrixConstraint::CholeskyFactorCov,
                    BaseType::CorrMatrix => MatrixConstraint::CorrMatrix,
                    _ => MatrixConstraint::CovMatrix,
                });
                if origin == Origin::Local {
                    self.cx.error(
                        ty.span,
                        format!(
                            "local variables cannot have the constrained type `{}`",
                            ty.base.name()
                        ),
                    );
                }
                if !matches!(ty.constraint, syntax::Constraint::None) {
                    self.cx.error(
                        ty.span,
                        format!(
                            "`{}` cannot take bounds, an offset or a multiplier",
                            ty.base.name()
                        ),
                    );
                }
                Ty::Matrix
            }
            syntax::BaseType::Complex => {
                self.cx.error(ty.span, syntax::NO_COMPLEX);
                Ty::Error
            }
        };
        if elem == Ty::Int && self.block == BlockKind::Parameters {
            self.cx.error(ty.span, "parameters must be real-valued: found `int`");
        }
        // Bounds in `data` may only use data; a parameter's bounds may use the parameters
        // declared before it, as Stan allows.
        let data_only_bounds = self.block == BlockKind::Data;
        let int_decl = elem == Ty::Int;
        let bound = |ck: &mut Self, e: Option<Expr>| {
            e.map(|e| {
                let t = ck.check_expr(e);
                if !t.ty.is_error() && !t.ty.is_scalar() {
                    ck.cx.error(
                        t.span,
                        format!(
                            "a bound must be an `int` or `real`, found `{}` (Stan's container \
                             bounds are not supported by Tilde yet)",
                            t.ty.describe()
                        ),
                    );
                } else if int_decl && t.ty == Ty::Real {
                    ck.cx.error(t.span, "a bound of an `int` must be an `int`, found `real`");
                }
                if data_only_bounds && t.ad {
                    ck.cx.error(t.span, "bounds in this block may only use data");
                }
                t
            })
        };
        let constraint = match ty.constraint {
            syntax::Constraint::None => TConstraint::None,
            syntax::Constraint::Bounds { lower, upper } => {
                let lower = bound(self, lower);
                let upper = bound(self, upper);
                TConstraint::Bounds { lower, upper }
            }
            syntax::Constraint::OffsetMultiplier { offset, multiplier } => {
                let offset = bound(self, offset);
                let multiplier = bound(self, multiplier);
                if elem == Ty::Int {
                    self.cx.error(ty.span, "`offset` and `multiplier` apply to reals only");
                }
                TConstraint::OffsetMultiplier { offset, multiplier }
            }
        };
        if !constraint.is_none() && origin == Origin::Local {
            self.cx.error(ty.span, "local variables cannot have constraints");
        }
        let full = Ty::array_of(elem.clone(), array_dims.len());
        // A function's locals may hold values of its arguments, which carry derivatives when
        // the function is called with parameters.
        let ad = elem != Ty::Int
            && (self.current.is_some()
                || matches!(
                    self.block,
                    BlockKind::Parameters | BlockKind::TransformedParameters | BlockKind::Model
                ));
        let init = init.map(|e| {
            self.whole_value = true;
            let t = self.check_expr(e);
            self.verify_assignable(&full, &t, &name, false);
            t
        });
        let var = self.declare(name, full, ad, origin)?;
        let square = matrix_constraint.is_some() && sizes.len() == 1;
        Some(TDecl {
            var,
            vector_constraint,
            matrix_constraint,
            sizes: Sizes { array_dims, sizes, square, texts: ty.size_texts },
            constraint,
            init,
            place,
        })
    }

    /// Checks that `value` may be stored in a `target`: assigned to the variable `name`, or
    /// returned from the function `name` when `returned`.
    fn verify_assignable(&mut self, target: &Ty, value: &TExpr, name: &Ident, returned: bool) {
        if target.is_error() || value.ty.is_error() {
            return;
        }
        // Values nested more than two levels are only ever variables, parts of them or results
        // of functions, which are copied whole.
        // Values computed whole, which code generation copies.
        let call = matches!(
            value.kind,
            TExprKind::UserCall { .. }
                | TExprKind::MultiIndex { .. }
                | TExprKind::ArrayLit(_)
                | TExprKind::Ternary(..)
                | TExprKind::Elementwise(..)
        );
        if assignable(target, &value.ty) && target.levels() > 2 && !is_place(value) && !call {
            self.cx.error(
                value.span,
                format!(
                    "assigning an expression to the nested container `{name}` is not supported \
                     by Tilde yet: assign a variable, or element by element"
                ),
            );
            return;
        }
        if assignable(target, &value.ty) {
            // A function with a nested result (an ODE solution, an array of draws) writes it
            // whole, as a variable is copied.
            let whole = is_place(value)
                || (target.levels() > 2 && call)
                || matches!(
                    value.kind,
                    TExprKind::Var(_)
                        | TExprKind::Index(..)
                        | TExprKind::Ode(_)
                        | TExprKind::MatrixFn(..)
                        | TExprKind::Elementwise(..)
                        | TExprKind::ScalarFn(..)
                        | TExprKind::Pick { .. }
                        | TExprKind::UserCall { .. }
                        | TExprKind::Ternary(..)
                        | TExprKind::ArrayLit(_)
                );
            if target.levels() >= 2 && !whole && value.ty != Ty::Matrix {
                self.cx.error(
                    value.span,
                    format!(
                        "assigning an expression to the nested container `{name}` is not \
                         supported by Tilde yet: assign a variable, or element by element"
                    ),
                );
            }
            return;
        }
        let place = if returned {
            format!("the value returned by `{name}`")
        } else {
            format!("assignment to `{name}`")
        };
        self.cx.error(
            value.span,
            format!(
                "type mismatch in {place}: expected `{}`, found `{}`",
                target.describe(),
                value.ty.describe()
            ),
        );
    }

    fn verify_condition(&mut self, t: &TExpr) {
        if !t.ty.is_error() && !t.ty.is_scalar() {
            self.cx.error(
                t.span,
                format!("a condition must be an `int` or `real`, found `{}`", t.ty.describe()),
            );
        }
    }

    fn check_stmt(&mut self, stmt: Stmt) -> Option<TStmt> {
        crate::deep(|| self.check_stmt_here(stmt))
    }

    fn check_stmt_here(&mut self, stmt: Stmt) -> Option<TStmt> {
        Some(match stmt {
            Stmt::Empty => return None,
            Stmt::Decl(d) => TStmt::Decl(self.check_decl(d, Origin::Local)?),
            Stmt::Block(stmts) => TStmt::Block(self.check_block(stmts)),
            Stmt::Assign { target, op, op_span, value, place } => {
                self.whole_value = op == syntax::AssignOp::Set;
                let value = self.check_expr(value);
                let target = self.check_lvalue(target)?;
                let name = self.vars[target.var].name.clone();
                if op == syntax::AssignOp::Set {
                    self.verify_assignable(&target.ty, &value, &name, false);
                } else if !target.ty.is_error() && !value.ty.is_error() {
                    let bop = match op {
                        syntax::AssignOp::Add => BinOp::Add,
                        syntax::AssignOp::Sub => BinOp::Sub,
                        syntax::AssignOp::Mul => BinOp::Mul,
                        syntax::AssignOp::Div => BinOp::Div,
                        syntax::AssignOp::EltMul => BinOp::EltMul,
                        syntax::AssignOp::EltDiv => BinOp::EltDiv,
                        syntax::AssignOp::Set => unreachable!("handled above"),
                    };
                    // `x *= y` and `x /= y` with a matrix `y` are Stan's `x = x * y` and
                    // `x = x / y`, a matrix product and `mdivide_right`, not elementwise updates:
                    // each is checked and generated as that assignment.
                    let rewritten = match bop {
                        BinOp::Mul if !value.ty.is_scalar() => {
                            binary_type(bop, &target.ty, &value.ty).map(|t| (None, t))
                        }
                        BinOp::Div if value.ty == Ty::Matrix => match target.ty {
                            Ty::RowVector => Some((Some("mdivide_right"), Ty::RowVector)),
                            Ty::Matrix => Some((Some("mdivide_right_matrix"), Ty::Matrix)),
                            _ => None,
                        },
                        _ => None,
                    };
                    if target.part.is_none()
                        && let Some((runtime, t)) = rewritten
                        && assignable(&target.ty, &t)
                    {
                        let info = &self.vars[target.var];
                        let mut current = TExpr {
                            kind: TExprKind::Var(target.var),
                            ty: info.ty.clone(),
                            ad: info.ad,
                            span: op_span,
                        };
                        if !target.indices.is_empty() {
                            current = TExpr {
                                kind: TExprKind::Index(Box::new(current), target.indices.clone()),
                                ty: target.ty.clone(),
                                ad: info.ad,
                                span: op_span,
                            };
                        }
                        let ad = current.ad || value.ad;
                        let kind = match runtime {
                            None => TExprKind::Binary(bop, Box::new(current), Box::new(value)),
                            Some(f) => TExprKind::MatrixFn(f, vec![current, value]),
                        };
                        let value = TExpr { kind, ty: t, ad, span: op_span };
                        let op = syntax::AssignOp::Set;
                        return Some(TStmt::Assign { target, op, value, place });
                    }
                    let matrix_product = target.ty.levels() == 2
                        && matches!(bop, BinOp::Mul | BinOp::Div)
                        && !value.ty.is_scalar();
                    match binary_type(bop, &target.ty, &value.ty) {
                        Some(_) if matrix_product => self.cx.error(
                            op_span,
                            format!(
                                "`{}=` with a `{}` on the right is not supported by Tilde yet: \
                                 write `{name} = {name} {} ...`",
                                bop.symbol(),
                                value.ty.describe(),
                                bop.symbol()
                            ),
                        ),
                        Some(t) if assignable(&target.ty, &t) => {}
                        _ => self.cx.error(
                            op_span,
                            format!(
                                "`{}=` is not defined for `{}` and `{}`",
                                bop.symbol(),
                                target.ty.describe(),
                                value.ty.describe()
                            ),
                        ),
                    }
                }
                TStmt::Assign { target, op, value, place }
            }
            Stmt::Tilde { lhs, dist, args, truncation, place } => {
                self.verify_target_allowed(dist.span(), "`~` statements");
                let lhs = self.check_expr(lhs);
                let args: Vec<TExpr> = args.into_iter().map(|a| self.check_expr(a)).collect();
                let family = dist.to_string();
                let dist_call = self.check_density(&family, &dist, &lhs, &args)?;
                let truncation = match truncation {
                    Some(t) => Some(self.check_truncation(t, &family, &lhs, &args)?),
                    None => None,
                };
                TStmt::Tilde { lhs, dist: dist_call, args, truncation, place }
            }
            Stmt::TargetPlus { span, value, place } => {
                self.verify_target_allowed(span, "`target +=` statements");
                let value = self.check_expr(value);
                let summable = value.ty.is_scalar() || value.ty.levels() == 1;
                if !value.ty.is_error() && !summable {
                    self.cx.error(
                        value.span,
                        format!(
                            "`target +=` takes a `real` (sum a container first), found `{}`",
                            value.ty.describe()
                        ),
                    );
                }
                TStmt::TargetPlus(value, place)
            }
            Stmt::For { var, lower, upper, body } => {
                let lower = self.check_expr(lower);
                let upper = self.check_expr(upper);
                for b in [&lower, &upper] {
                    if !b.ty.is_error() && b.ty != Ty::Int {
                        self.cx.error(
                            b.span,
                            format!("loop bounds must be `int`, found `{}`", b.ty.describe()),
                        );
                    }
                }
                self.with_scope(|ck| {
                    let id = ck.declare(var, Ty::Int, false, Origin::Loop)?;
                    ck.loop_depth += 1;
                    let body = ck.check_body(*body);
                    ck.loop_depth -= 1;
                    Some(TStmt::For { var: id, lower, upper, body })
                })?
            }
            Stmt::ForEach { var, container, body } => {
                let container = self.check_expr(container);
                let elem = match &container.ty {
                    Ty::Array(inner) => (**inner).clone(),
                    // A matrix gives its entries, column by column, as in Stan.
                    Ty::Vector | Ty::RowVector | Ty::Matrix => Ty::Real,
                    Ty::Error => Ty::Error,
                    other => {
                        self.cx.error(
                            container.span,
                            format!(
                                "`for (x in ...)` needs an array or vector, found `{}`",
                                other.describe()
                            ),
                        );
                        Ty::Error
                    }
                };
                let ad = container.ad;
                self.with_scope(|ck| {
                    let id = ck.declare(var, elem, ad, Origin::Loop)?;
                    ck.loop_depth += 1;
                    let body = ck.check_body(*body);
                    ck.loop_depth -= 1;
                    Some(TStmt::ForEach { var: id, container, body })
                })?
            }
            Stmt::While { cond, body } => {
                let cond = self.check_expr(cond);
                self.verify_condition(&cond);
                self.loop_depth += 1;
                let body = self.check_body(*body);
                self.loop_depth -= 1;
                TStmt::While { cond, body }
            }
            Stmt::If { cond, then, otherwise } => {
                let cond = self.check_expr(cond);
                self.verify_condition(&cond);
                let then = self.check_body(*then);
                let otherwise = otherwise.map(|s| self.check_body(*s)).unwrap_or_default();
                TStmt::If { cond, then, otherwise }
            }
            Stmt::Break(span) | Stmt::Continue(span) => {
                let is_break = matches!(stmt, Stmt::Break(_));
                if self.loop_depth == 0 {
                    let word = if is_break { "break" } else { "continue" };
                    self.cx.error(span, format!("`{word}` outside of a loop"));
                }
                if is_break { TStmt::Break } else { TStmt::Continue }
            }
            Stmt::Print(_, args) => TStmt::Print(self.check_print_args(args)),
            Stmt::Reject(_, args, place) => TStmt::Reject(self.check_print_args(args), place),
            Stmt::FatalError(_, args, place) => {
                TStmt::FatalError(self.check_print_args(args), place)
            }
            Stmt::Return(span, value) => {
                let Some(sig) = self.current.clone() else {
                    self.cx.error(span, "`return` is only allowed inside a function");
                    return None;
                };
                let value = value.map(|v| self.check_expr(v));
                match (&sig.ret, &value) {
                    (None, Some(v)) => self.cx.error(
                        v.span,
                        format!("`{}` returns `void`, so `return` takes no value", sig.name),
                    ),
                    (Some(t), None) => self.cx.error(
                        span,
                        format!("`{}` must return a value of type `{}`", sig.name, t.describe()),
                    ),
                    (Some(t), Some(v)) => self.verify_assignable(t, v, &sig.name, true),
                    (None, None) => {}
                }
                TStmt::Return(value)
            }
            Stmt::Call(e, place) => {
                let span = e.span;
                let t = self.check_expr(e);
                if t.ty.is_error() {
                    return None;
                }
                if t.ty != Ty::Void {
                    self.cx.error(
                        span,
                        "this expression's value is unused: a statement must be an assignment, \
                         a `~`, or a call of a `void` function",
                    );
                    return None;
                }
                TStmt::Call(t, place)
            }
        })
    }

    /// `T[L, U]` on a `~` statement whose distribution has already been checked.
    fn check_truncation(
        &mut self,
        t: syntax::Truncation,
        family: &str,
        outcome: &TExpr,
        args: &[TExpr],
    ) -> Option<TTruncation> {
        let user_defined = ["lpdf", "lpmf"]
            .iter()
            .any(|suffix| self.functions.contains_key(&format!("{family}_{suffix}")));
        if user_defined {
            self.cx.error(
                t.span,
                format!(
                    "truncating the user-defined distribution `{family}` is not supported by \
                     Tilde yet"
                ),
            );
            return None;
        }
        let sig = builtins::distribution(family)?;
        if !sig.cdfs {
            let with: Vec<&str> = builtins::distributions_with_cdfs().collect();
            self.cx.error(
                t.span,
                format!(
                    "truncation needs the CDF of `{family}`, which Tilde does not have; it has \
                     CDFs for {}",
                    with.join(", ")
                ),
            );
            return None;
        }
        if !outcome.ty.is_error() && !outcome.ty.is_scalar() {
            self.cx.error(
                outcome.span,
                format!(
                    "truncation of a `{}` outcome is not supported by Tilde yet: the outcome \
                     of a truncated `~` must be a single `real`, as in Stan before 2.36",
                    outcome.ty.describe()
                ),
            );
            return None;
        }
        for (a, name) in args.iter().zip(sig.param_names()) {
            if !a.ty.is_error() && !a.ty.is_scalar() {
                self.cx.error(
                    a.span,
                    format!(
                        "truncation with a `{}` for `{name}` is not supported by Tilde yet: \
                         the parameters of a truncated `~` must be single values",
                        a.ty.describe()
                    ),
                );
                return None;
            }
        }
        let discrete = sig.discrete;
        let mut bound = |e: Option<Expr>| -> Option<Option<TExpr>> {
            let Some(e) = e else { return Some(None) };
            let b = self.check_expr(e);
            if b.ty.is_error() {
                return None;
            }
            if discrete && b.ty != Ty::Int {
                self.cx.error(
                    b.span,
                    format!(
                        "a truncation bound of the discrete `{family}` must be an `int`, found \
                         `{}`",
                        b.ty.describe()
                    ),
                );
                return None;
            }
            if !b.ty.is_scalar() {
                self.cx.error(
                    b.span,
                    format!(
                        "a truncation bound must be an `int` or `real`, found `{}`",
                        b.ty.describe()
                    ),
                );
                return None;
            }
            Some(Some(b))
        };
        let lower = bound(t.lower);
        let upper = bound(t.upper);
        Some(TTruncation { lower: lower?, upper: upper? })
    }

    fn check_print_args(&mut self, args: Vec<syntax::PrintArg>) -> Vec<TPrintArg> {
        args.into_iter()
            .map(|a| match a {
                syntax::PrintArg::Str(s) => TPrintArg::Str(s),
                syntax::PrintArg::Expr(e) => TPrintArg::Expr(self.check_expr(e)),
            })
            .collect()
    }

    fn verify_target_allowed(&mut self, span: Span, what: &str) {
        let in_lp = self.current.as_ref().is_some_and(|f| f.kind == FunKind::Lp);
        if self.block != BlockKind::Model && !in_lp {
            self.cx.error(
                span,
                format!(
                    "{what} are only allowed in the `model` block, not in `{}`{}",
                    self.block.title(),
                    if self.current.is_some() {
                        " (a function that changes `target` must have a name ending in `_lp`)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }

    fn check_lvalue(&mut self, target: Expr) -> Option<TLValue> {
        let (name, indices) = match target.kind {
            ExprKind::Var(name) => (name, Vec::new()),
            ExprKind::Index(base, idx) => {
                let ExprKind::Var(name) = base.kind else {
                    self.cx.error(base.span, "only a variable or its elements can be assigned");
                    return None;
                };
                (name, idx)
            }
            _ => {
                self.cx.error(target.span, "only a variable or its elements can be assigned");
                return None;
            }
        };
        let Some(var) = self.lookup(&name.to_string()) else {
            self.cx.error(name.span(), format!("`{name}` is not declared"));
            return None;
        };
        let info = &self.vars[var];
        let read_only = match info.origin {
            Origin::Loop => Some("loop variables cannot be assigned".to_string()),
            Origin::Arg => Some(format!("`{name}` is a function argument and cannot be assigned")),
            Origin::Field(b) | Origin::Output(b) if b != self.block => Some(format!(
                "`{name}` was declared in the `{}` block and cannot be assigned in `{}`",
                b.title(),
                self.block.title()
            )),
            _ => None,
        };
        if let Some(msg) = read_only {
            self.cx.error(name.span(), msg);
            return None;
        }
        let mut ty = info.ty.clone();
        // One or two indices on a two-level variable: an element, a row or a part of one
        // (`m[i]`, `m[i, 2:3]`), or rows and columns (`m[2:3]`, `m[idx, j]`, `m[:, 1:2]`).
        if ty.levels() == 2 && (1..=2).contains(&indices.len()) {
            let mut picked = Vec::new();
            for index in indices {
                picked.push(self.check_pick_index(index)?);
            }
            let mut it = picked.into_iter();
            let rows = it.next().expect("one or two indices");
            let cols = it.next();
            let row_ty = index_type(&ty).expect("a two-level type has rows");
            if let PickIndex::Single(i) = rows {
                return Some(match cols {
                    None => TLValue { var, indices: vec![i], part: None, ty: row_ty },
                    Some(PickIndex::Single(j)) => {
                        let ty = index_type(&row_ty).expect("a row has elements");
                        TLValue { var, indices: vec![i, j], part: None, ty }
                    }
                    Some(PickIndex::All) => {
                        let part = Some(TPart::Range(None, None));
                        TLValue { var, indices: vec![i], part, ty: row_ty }
                    }
                    Some(PickIndex::Range(lo, hi)) => {
                        let part = Some(TPart::Range(lo, hi));
                        TLValue { var, indices: vec![i], part, ty: row_ty }
                    }
                    Some(PickIndex::Multi(idx)) => {
                        let part = Some(TPart::Multi(idx));
                        TLValue { var, indices: vec![i], part, ty: row_ty }
                    }
                });
            }
            // One column of the rows is one level; anything else keeps both.
            let part_ty = match (&cols, &ty) {
                (Some(PickIndex::Single(_)), Ty::Matrix) => Ty::Vector,
                (Some(PickIndex::Single(_)), Ty::Array(_)) => {
                    Ty::Array(Box::new(index_type(&row_ty).expect("rows have elements")))
                }
                _ => ty.clone(),
            };
            let part = Some(TPart::Pick { rows: Box::new(rows), cols: cols.map(Box::new) });
            return Some(TLValue { var, indices: Vec::new(), part, ty: part_ty });
        }
        let mut out = Vec::new();
        let n = indices.len();
        for (k, index) in indices.into_iter().enumerate() {
            let last = k + 1 == n;
            let part = match index {
                syntax::Index::Single(e) => {
                    let t = self.check_expr(e);
                    if t.ty.is_error() {
                        return None;
                    }
                    if matches!(&t.ty, Ty::Array(inner) if **inner == Ty::Int) {
                        if !last {
                            self.cx.error(
                                t.span,
                                "assigning through an index array followed by more indices is \
                                 not supported by Tilde yet",
                            );
                            return None;
                        }
                        TPart::Multi(t)
                    } else {
                        if t.ty != Ty::Int {
                            self.cx.error(
                                t.span,
                                format!("an index must be an `int`, found `{}`", t.ty.describe()),
                            );
                            return None;
                        }
                        ty = match index_type(&ty) {
                            Some(inner) => inner,
                            None => {
                                self.cx.error(t.span, format!("too many indices for `{name}`"));
                                return None;
                            }
                        };
                        out.push(t);
                        continue;
                    }
                }
                syntax::Index::All | syntax::Index::Range(..) if !last => {
                    self.cx.error(
                        name.span(),
                        "assigning to a range followed by more indices is not supported by \
                         Tilde yet",
                    );
                    return None;
                }
                syntax::Index::All => TPart::Range(None, None),
                syntax::Index::Range(lo, hi) => {
                    let lo = self.check_range_bound(lo);
                    let hi = self.check_range_bound(hi);
                    TPart::Range(lo?, hi?)
                }
            };
            // A range of the outer level of a deeper array takes a copy of a variable.
            let deep_range = ty.levels() > 2 && matches!(part, TPart::Range(..));
            if ty.levels() != 1 && !deep_range {
                self.cx.error(
                    name.span(),
                    format!(
                        "assigning to a {} of a `{}` is not supported by Tilde yet (only of \
                         one-level containers such as `vector` and `array[] real`, columns \
                         `m[:, j]` of a matrix, and ranges of the outer level of containers \
                         nested more than two levels)",
                        part.describe(),
                        ty.describe()
                    ),
                );
                return None;
            }
            return Some(TLValue { var, indices: out, part: Some(part), ty });
        }
        Some(TLValue { var, indices: out, part: None, ty })
    }

    /// A bound of a range `a:b`: absent, or an `int`. `None` after an error.
    fn check_range_bound(&mut self, e: Option<Expr>) -> Option<Option<TExpr>> {
        let Some(e) = e else { return Some(None) };
        let t = self.check_expr(e);
        if t.ty.is_error() {
            return None;
        }
        if t.ty != Ty::Int {
            self.cx.error(
                t.span,
                format!("a range bound must be an `int`, found `{}`", t.ty.describe()),
            );
            return None;
        }
        Some(Some(t))
    }

    fn check_density(
        &mut self,
        family: &str,
        at: &Ident,
        outcome: &TExpr,
        args: &[TExpr],
    ) -> Option<DistCall> {
        for suffix in ["lpdf", "lpmf"] {
            let name = format!("{family}_{suffix}");
            if let Some(sig) = self.functions.get(&name).cloned() {
                let all: Vec<&TExpr> = std::iter::once(outcome).chain(args).collect();
                if all.len() != sig.params.len() {
                    self.cx.error(
                        at.span(),
                        format!(
                            "`{name}` takes {} argument(s) with the outcome, found {}",
                            sig.params.len(),
                            all.len()
                        ),
                    );
                    return None;
                }
                for (k, (a, t)) in all.iter().zip(&sig.params).enumerate() {
                    if !a.ty.is_error() && !assignable(t, &a.ty) {
                        let what = if k == 0 {
                            "the outcome".to_string()
                        } else {
                            format!("argument {}", k + 1)
                        };
                        self.cx.error(
                            a.span,
                            format!(
                                "`{name}`: {what} must be `{}`, found `{}`",
                                t.describe(),
                                a.ty.describe()
                            ),
                        );
                        return None;
                    }
                }
                return Some(DistCall { family: family.to_string(), suffix });
            }
        }
        let Some(sig) = builtins::distribution(family) else {
            self.cx.error(at.span(), format!("unknown distribution `{family}`"));
            return None;
        };
        if args.len() != sig.params.len() {
            self.cx.error(
                at.span(),
                format!(
                    "`{family}` takes {} argument(s) after the outcome ({}), found {}",
                    sig.params.len(),
                    sig.param_names().join(", "),
                    args.len()
                ),
            );
            return None;
        }
        if let Some(shapes) = sig.shapes {
            let names = std::iter::once("the outcome").chain(sig.param_names());
            let all = std::iter::once(outcome).chain(args);
            for ((a, name), shape) in all.zip(names).zip(shapes) {
                self.verify_shaped_arg(family, name, a, *shape);
            }
            let suffix = if sig.discrete { "lpmf" } else { "lpdf" };
            return Some(DistCall { family: family.to_string(), suffix });
        }
        self.verify_dist_arg(family, "the outcome", outcome, sig.discrete);
        for (k, (a, name)) in args.iter().zip(sig.param_names()).enumerate() {
            self.verify_dist_arg(family, name, a, sig.int_param(k));
        }
        Some(DistCall {
            family: family.to_string(),
            suffix: if sig.discrete { "lpmf" } else { "lpdf" },
        })
    }

    fn verify_shaped_arg(&mut self, family: &str, what: &str, t: &TExpr, shape: Shape) {
        let (leaf, arrays) = t.ty.strip_arrays();
        let (ok, expected) = match shape {
            Shape::Real => (t.ty.is_scalar(), "a `real`"),
            Shape::Matrix => (t.ty == Ty::Matrix, "a `matrix`"),
            Shape::Vector => (t.ty == Ty::Vector, "a `vector`"),
            Shape::Reals => (
                matches!(t.ty, Ty::Int | Ty::Real | Ty::Vector | Ty::RowVector)
                    || (arrays == 1 && leaf.is_scalar()),
                "a `real`, a `vector`, a `row_vector` or an array of reals",
            ),
            Shape::Ints => (
                t.ty == Ty::Int || (arrays == 1 && *leaf == Ty::Int),
                "an `int` or an array of ints",
            ),
            Shape::Vectors => (
                leaf.is_vector_like() && arrays <= 1,
                "a `vector`, a `row_vector` or an array of them",
            ),
        };
        if !ok && !t.ty.is_error() {
            self.cx.error(
                t.span,
                format!("`{family}`: {what} must be {expected}, found `{}`", t.ty.describe()),
            );
        }
    }

    fn verify_dist_arg(&mut self, family: &str, what: &str, t: &TExpr, int_only: bool) {
        let ok = match (&t.ty, int_only) {
            (Ty::Error, _) => true,
            (Ty::Int, _) => true,
            (Ty::Array(inner), true) => **inner == Ty::Int,
            (_, true) => false,
            (Ty::Real | Ty::Vector | Ty::RowVector, false) => true,
            (Ty::Array(inner), false) => inner.is_scalar(),
            _ => false,
        };
        if !ok {
            let expected = if int_only {
                "an `int` or `array[] int`"
            } else {
                "a `real`, `vector`, `row_vector` or `array[] real`"
            };
            self.cx.error(
                t.span,
                format!("`{family}`: {what} must be {expected}, found `{}`", t.ty.describe()),
            );
        }
    }

    fn check_expr(&mut self, e: Expr) -> TExpr {
        crate::deep(|| self.check_expr_here(e))
    }

    fn check_expr_here(&mut self, e: Expr) -> TExpr {
        let span = e.span;
        let whole = std::mem::take(&mut self.whole_value);
        match e.kind {
            ExprKind::Int(v) => TExpr { kind: TExprKind::Int(v), ty: Ty::Int, ad: false, span },
            ExprKind::Real(v) => TExpr { kind: TExprKind::Real(v), ty: Ty::Real, ad: false, span },
            ExprKind::Paren(inner) => {
                self.whole_value = whole;
                self.check_expr(*inner)
            }
            ExprKind::Var(name) => {
                let key = name.to_string();
                match self.lookup(&key) {
                    Some(id) => {
                        let v = &self.vars[id];
                        TExpr { kind: TExprKind::Var(id), ty: v.ty.clone(), ad: v.ad, span }
                    }
                    None => {
                        self.cx.error(span, format!("`{key}` is not declared"));
                        err_expr(span)
                    }
                }
            }
            ExprKind::Unary(op, operand) => {
                let t = self.check_expr(*operand);
                let ty = match (op, &t.ty) {
                    (_, Ty::Error) => Ty::Error,
                    (UnOp::Not, Ty::Int | Ty::Real) => Ty::Int,
                    (UnOp::Neg | UnOp::Plus, ty)
                        if ty.is_scalar() || ty.is_vector_like() || *ty == Ty::Matrix =>
                    {
                        ty.clone()
                    }
                    (_, other) => {
                        let sym = match op {
                            UnOp::Neg => "-",
                            UnOp::Not => "!",
                            UnOp::Plus => "+",
                        };
                        self.cx.error(
                            span,
                            format!("unary `{sym}` is not defined for `{}`", other.describe()),
                        );
                        Ty::Error
                    }
                };
                let ad = t.ad;
                TExpr { kind: TExprKind::Unary(op, Box::new(t)), ty, ad, span }
            }
            // `a .^ b` is Stan's `pow(a, b)`, elementwise on containers.
            ExprKind::Binary(BinOp::EltPow, a, b) => {
                self.check_call(Ident::new("pow", span), vec![*a, *b], false, false, span)
            }
            ExprKind::Binary(op, a, b) => {
                let a = self.check_expr(*a);
                let b = self.check_expr(*b);
                // `b / A` by a matrix is Stan's `mdivide_right(b, A)`.
                if op == BinOp::Div && b.ty == Ty::Matrix {
                    let found = match a.ty {
                        Ty::RowVector => Some(("mdivide_right", Ty::RowVector)),
                        Ty::Matrix => Some(("mdivide_right_matrix", Ty::Matrix)),
                        _ => None,
                    };
                    if let Some((runtime, ty)) = found {
                        let ad = a.ad || b.ad;
                        return TExpr {
                            kind: TExprKind::MatrixFn(runtime, vec![a, b]),
                            ty,
                            ad,
                            span,
                        };
                    }
                }
                let ty = if a.ty.is_error() || b.ty.is_error() {
                    Ty::Error
                } else if let Some(t) = binary_type(op, &a.ty, &b.ty) {
                    t
                } else {
                    self.cx.error(
                        span,
                        format!(
                            "`{}` is not defined for `{}` and `{}`",
                            op.symbol(),
                            a.ty.describe(),
                            b.ty.describe()
                        ),
                    );
                    Ty::Error
                };
                let ad = (a.ad || b.ad) && ty != Ty::Int;
                TExpr { kind: TExprKind::Binary(op, Box::new(a), Box::new(b)), ty, ad, span }
            }
            ExprKind::Ternary(c, a, b) => {
                let c = self.check_expr(*c);
                self.verify_condition(&c);
                let a = self.check_expr(*a);
                let b = self.check_expr(*b);
                let ty = if a.ty.is_error() || b.ty.is_error() {
                    Ty::Error
                } else if let Some(t) = common_type(&a.ty, &b.ty) {
                    t
                } else {
                    self.cx.error(
                        span,
                        format!(
                            "the branches of `?:` must have the same type, found `{}` and `{}`",
                            a.ty.describe(),
                            b.ty.describe()
                        ),
                    );
                    Ty::Error
                };
                let ad = (a.ad || b.ad) && ty != Ty::Int;
                TExpr {
                    kind: TExprKind::Ternary(Box::new(c), Box::new(a), Box::new(b)),
                    ty,
                    ad,
                    span,
                }
            }
            ExprKind::Index(base, indices) => self.check_index(*base, indices, span),
            ExprKind::ArrayLit(items) => {
                let items: Vec<TExpr> = items.into_iter().map(|i| self.check_expr(i)).collect();
                let mut elem: Option<Ty> = None;
                let mut ok = true;
                for it in &items {
                    if it.ty.is_error() {
                        ok = false;
                        continue;
                    }
                    let next = match &elem {
                        None => Some(it.ty.clone()),
                        Some(e) => common_type(e, &it.ty),
                    };
                    match next {
                        Some(t) => elem = Some(t),
                        None => {
                            self.cx.error(
                                it.span,
                                format!(
                                    "the elements of an array literal must have one type, \
                                     found `{}` and `{}`",
                                    elem.as_ref().map_or(String::new(), Ty::describe),
                                    it.ty.describe()
                                ),
                            );
                            ok = false;
                        }
                    }
                }
                if items.is_empty() {
                    self.cx.error(span, "an array literal needs at least one element");
                    ok = false;
                }
                let ad = items.iter().any(|i| i.ad);
                let ty = match elem {
                    Some(e) if ok => Ty::Array(Box::new(e)),
                    _ => Ty::Error,
                };
                TExpr { kind: TExprKind::ArrayLit(items), ty, ad, span }
            }
            ExprKind::RowVectorLit(items) => {
                // All scalars make a row vector; all row vectors, the rows of a matrix.
                let items: Vec<TExpr> = items.into_iter().map(|i| self.check_expr(i)).collect();
                let rows = items.first().is_some_and(|i| i.ty == Ty::RowVector);
                let mut ok = !items.is_empty();
                for it in &items {
                    let fits = if rows { it.ty == Ty::RowVector } else { it.ty.is_scalar() };
                    if !fits {
                        if !it.ty.is_error() {
                            self.cx.error(
                                it.span,
                                format!(
                                    "a row vector literal takes scalars, and a matrix literal \
                                     row vectors; found `{}`",
                                    it.ty.describe()
                                ),
                            );
                        }
                        ok = false;
                    }
                }
                let ad = items.iter().any(|i| i.ad);
                let ty = match (ok, rows) {
                    (false, _) => Ty::Error,
                    (true, false) => Ty::RowVector,
                    (true, true) => Ty::Matrix,
                };
                TExpr { kind: TExprKind::RowVectorLit(items), ty, ad, span }
            }
            ExprKind::Call { name, args, conditional } => {
                self.check_call(name, args, conditional, whole, span)
            }
        }
    }

    /// The error of a call whose arguments fit none of the function's signatures.
    fn signature_error(
        &mut self,
        span: Span,
        fname: &str,
        expected: &str,
        args: &[TExpr],
    ) -> TExpr {
        let found: Vec<String> = args.iter().map(|a| format!("`{}`", a.ty.describe())).collect();
        let found = if found.is_empty() { "none".into() } else { found.join(", ") };
        self.cx.error(span, format!("`{fname}` takes {expected}; found {found}"));
        err_expr(span)
    }

    /// Random numbers may only be drawn in `transformed data`, `generated quantities` and
    /// `_rng` functions: never in the log density.
    fn check_rng_placement(&mut self, span: Span) {
        let in_rng_fn = self.current.as_ref().is_some_and(|f| f.kind == FunKind::Rng);
        if !in_rng_fn
            && !matches!(self.block, BlockKind::TransformedData | BlockKind::GeneratedQuantities)
        {
            self.cx.error(
                span,
                format!(
                    "random number generators are only allowed in `transformed data` and \
                     `generated quantities`, not in `{}`{}",
                    self.block.title(),
                    if self.current.is_some() {
                        " (a function that draws random numbers must have a name ending in `_rng`)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }

    /// Registers every signature first, so that functions may call each other and themselves,
    /// then checks each body.
    fn check_functions(&mut self, defs: Vec<syntax::FunDef>) -> Vec<TFunction> {
        let mut duplicate = vec![false; defs.len()];
        for (i, f) in defs.iter().enumerate() {
            let key = f.name.to_string();
            if builtins::lookup(&key).is_some()
                || builtins::lookup_with_arity(&key, 2).is_some()
                || builtins::ode_solver(&key).is_some()
            {
                self.cx.error(
                    f.name.span(),
                    format!("`{key}` is a built-in function and cannot be redefined"),
                );
            }
            let sig = FunSig {
                name: f.name.clone(),
                kind: fun_kind(&key),
                ret: f.ret.as_ref().map(fun_type),
                params: f.params.iter().map(|(t, _)| fun_type(t)).collect(),
                data_only: f.params.iter().map(|(t, _)| t.data_only).collect(),
            };
            // Stan's rule: a density's outcome is real, a mass function's an integer.
            if let Some((first, _)) = f.params.first() {
                let outcome_int = first.base == BaseType::Int;
                if key.ends_with("_lpdf") && outcome_int {
                    self.cx.error(
                        first.span,
                        format!(
                            "the outcome of a `_lpdf` function must be real-valued, found `int`: \
                             name it `{}_lpmf`",
                            key.trim_end_matches("_lpdf")
                        ),
                    );
                } else if key.ends_with("_lpmf") && !outcome_int {
                    self.cx.error(
                        first.span,
                        format!(
                            "the outcome of a `_lpmf` function must be an `int` or array of ints: \
                             name it `{}_lpdf`",
                            key.trim_end_matches("_lpmf")
                        ),
                    );
                }
            }
            for t in f.params.iter().map(|(t, _)| t).chain(f.ret.iter()) {
                if t.base == BaseType::Complex {
                    self.cx.error(
                        t.span,
                        "this argument or return type is not supported by Tilde yet",
                    );
                }
            }
            let defined_before = defs[..i].iter().any(|d| d.name == f.name && d.body.is_some());
            if defined_before && f.body.is_some() {
                // The first definition stands, so that its uses are checked against it alone.
                let overload = self
                    .functions
                    .get(&key)
                    .is_some_and(|first| first.params != sig.params || first.ret != sig.ret);
                let message = if overload {
                    format!(
                        "function `{key}` is defined twice: overloading a function name with \
                         other argument types is not supported by Tilde yet"
                    )
                } else {
                    format!("function `{key}` is defined twice")
                };
                self.cx.error(f.name.span(), message);
                duplicate[i] = true;
                continue;
            }
            if f.body.is_none() && !defs.iter().any(|d| d.name == f.name && d.body.is_some()) {
                self.cx.error(
                    f.name.span(),
                    format!("function `{key}` is declared but never defined: give it a body"),
                );
            }
            self.functions.insert(key, sig);
        }
        let mut out = Vec::new();
        for (f, duplicate) in defs.into_iter().zip(duplicate) {
            let Some(body) = f.body.filter(|_| !duplicate) else { continue };
            let sig = self.functions[&f.name.to_string()].clone();
            self.current = Some(sig.clone());
            let checked = self.with_scope(|ck| {
                let mut params = Vec::new();
                let typed = sig.params.iter().zip(&sig.data_only);
                for ((_, pname), (ty, &data_only)) in f.params.into_iter().zip(typed) {
                    let ad = !data_only && !matches!(ty.strip_arrays().0, Ty::Int);
                    params.extend(ck.declare(pname, ty.clone(), ad, Origin::Arg));
                }
                let body = ck.check_block(body);
                (params, body)
            });
            self.current = None;
            let (params, body) = checked;
            if sig.ret.is_some() && !always_returns(&body) {
                self.cx.error(
                    f.name.span(),
                    format!("function `{}` does not return a value on every path", f.name),
                );
            }
            out.push(TFunction { name: f.name, kind: sig.kind, ret: sig.ret, params, body });
        }
        out
    }

    fn check_user_call(
        &mut self,
        sig: FunSig,
        name: Ident,
        args: Vec<TExpr>,
        conditional: bool,
        span: Span,
    ) -> TExpr {
        if conditional && sig.kind != FunKind::Density {
            self.cx.error(
                span,
                format!(
                    "`|` may only follow the outcome of a `_lpdf`/`_lpmf` call, and `{name}` is \
                     not one"
                ),
            );
        }
        if args.len() != sig.params.len() {
            self.cx.error(
                span,
                format!("`{name}` takes {} argument(s), found {}", sig.params.len(), args.len()),
            );
            return err_expr(span);
        }
        for (k, (a, t)) in args.iter().zip(&sig.params).enumerate() {
            if !assignable(t, &a.ty) {
                self.cx.error(
                    a.span,
                    format!(
                        "argument {} of `{name}` must be `{}`, found `{}`",
                        k + 1,
                        t.describe(),
                        a.ty.describe()
                    ),
                );
                return err_expr(span);
            }
            if sig.data_only[k] && a.ad {
                self.cx.error(
                    a.span,
                    format!(
                        "argument {} of `{name}` is declared `data`, but this expression depends \
                         on parameters",
                        k + 1
                    ),
                );
            }
        }
        match sig.kind {
            FunKind::Rng => {
                let allowed = matches!(
                    self.block,
                    BlockKind::TransformedData | BlockKind::GeneratedQuantities
                ) || self.current.as_ref().is_some_and(|f| f.kind == FunKind::Rng);
                if !allowed {
                    self.cx.error(
                        span,
                        format!(
                            "`{name}` uses random numbers, which are only allowed in \
                             `transformed data`, `generated quantities` and `_rng` functions"
                        ),
                    );
                }
            }
            FunKind::Lp => {
                let allowed =
                    matches!(self.block, BlockKind::Model | BlockKind::TransformedParameters)
                        || self.current.as_ref().is_some_and(|f| f.kind == FunKind::Lp);
                if !allowed {
                    self.cx.error(
                        span,
                        format!(
                            "`{name}` changes `target`, which is only allowed in `model`, \
                             `transformed parameters` and `_lp` functions"
                        ),
                    );
                }
            }
            _ => {}
        }
        let ty = sig.ret.clone().unwrap_or(Ty::Void);
        let ad = args.iter().any(|a| a.ad) && ty.strip_arrays().0 != &Ty::Int && ty != Ty::Void;
        TExpr { kind: TExprKind::UserCall { name, args }, ty, ad, span }
    }

    fn check_index(&mut self, base: Expr, indices: Vec<syntax::Index>, span: Span) -> TExpr {
        let base = self.check_expr(base);
        if base.ty.is_error() {
            return err_expr(span);
        }
        self.index_checked(base, indices, span)
    }

    /// `indices` applied to the checked `base`.
    fn index_checked(&mut self, base: TExpr, indices: Vec<syntax::Index>, span: Span) -> TExpr {
        // `m[:, j]` is column `j` of a matrix.
        if base.ty == Ty::Matrix
            && let [syntax::Index::All, syntax::Index::Single(_)] = indices.as_slice()
        {
            let Some(syntax::Index::Single(j)) = indices.into_iter().nth(1) else {
                unreachable!("matched above")
            };
            let j = self.check_expr(j);
            if j.ty.is_error() {
                return err_expr(span);
            }
            if j.ty != Ty::Int {
                self.cx.error(
                    j.span,
                    format!("an index must be an `int`, found `{}`", j.ty.describe()),
                );
                return err_expr(span);
            }
            let ad = base.ad;
            return TExpr {
                kind: TExprKind::MatrixFn("column", vec![base, j]),
                ty: Ty::Vector,
                ad,
                span,
            };
        }
        if base.ty.levels() == 2 && (1..=2).contains(&indices.len()) {
            return self.check_two_level_index(base, indices, span);
        }
        // Leading single indices select an element; a final range or index array takes a part of
        // the one-level container that remains.
        let mut ty = base.ty.clone();
        let mut singles = Vec::new();
        let n = indices.len();
        let mut last = None;
        let mut it = indices.into_iter().enumerate();
        while let Some((k, index)) = it.next() {
            if !singles.is_empty() && ty.levels() == 2 {
                // Single indices down to a two-level part (`a[k]` of an array of matrices),
                // then the indices of that part, which may pick rows and columns: `a[k, 2:3]`,
                // `a[k, :, j]`.
                let ad = base.ad && ty.strip_arrays().0 != &Ty::Int;
                let kind = TExprKind::Index(Box::new(base), singles);
                let part = TExpr { kind, ty, ad, span };
                let rest = std::iter::once(index).chain(it.map(|(_, i)| i)).collect();
                return self.index_checked(part, rest, span);
            }
            let single = match index {
                syntax::Index::Single(e) => self.check_expr(e),
                other if k + 1 == n => {
                    last = Some(other);
                    break;
                }
                _ => {
                    self.cx.error(
                        span,
                        "a range followed by more indices is not supported by Tilde yet",
                    );
                    return err_expr(span);
                }
            };
            if single.ty.is_error() {
                return err_expr(span);
            }
            let is_int_array = matches!(&single.ty, Ty::Array(inner) if **inner == Ty::Int);
            if is_int_array && k + 1 == n {
                return self.finish_part(base, singles, ty, PartIndex::Multi(single), span);
            }
            if single.ty != Ty::Int {
                let msg = if is_int_array {
                    "an index array followed by more indices is not supported by Tilde yet".into()
                } else {
                    format!("an index must be an `int`, found `{}`", single.ty.describe())
                };
                self.cx.error(single.span, msg);
                return err_expr(span);
            }
            ty = match index_type(&ty) {
                Some(inner) => inner,
                None => {
                    self.cx.error(
                        single.span,
                        format!("too many indices for a value of type `{}`", base.ty.describe()),
                    );
                    return err_expr(span);
                }
            };
            singles.push(single);
        }
        match last {
            None => {
                let ad = base.ad && ty != Ty::Int;
                TExpr { kind: TExprKind::Index(Box::new(base), singles), ty, ad, span }
            }
            Some(syntax::Index::All) => {
                self.finish_part(base, singles, ty, PartIndex::Range(None, None), span)
            }
            Some(syntax::Index::Range(lo, hi)) => {
                let (Some(lo), Some(hi)) = (self.check_range_bound(lo), self.check_range_bound(hi))
                else {
                    return err_expr(span);
                };
                self.finish_part(base, singles, ty, PartIndex::Range(lo, hi), span)
            }
            Some(syntax::Index::Single(_)) => unreachable!("singles are consumed above"),
        }
    }

    /// A range or an index array applied to what `singles` selected from `base`.
    /// One or two indices on a two-level variable `base`: an element, a row, a part of a row
    /// (`m[i, 2:3]`), or rows and columns picked out (`m[2:3]`, `m[idx, j]`, `a[:, 1:2]`).
    fn check_two_level_index(
        &mut self,
        base: TExpr,
        indices: Vec<syntax::Index>,
        span: Span,
    ) -> TExpr {
        let mut it = indices.into_iter();
        let first = it.next().expect("one or two indices");
        let second = it.next();
        let Some(rows) = self.check_pick_index(first) else {
            return err_expr(span);
        };
        let row_ty = index_type(&base.ty).expect("a two-level type has rows");
        let leaf_int = base.ty.strip_arrays().0 == &Ty::Int;
        let ad = base.ad && !leaf_int;
        if let PickIndex::Single(i) = rows {
            // A row, then perhaps an element or a part of it.
            let Some(second) = second else {
                let kind = TExprKind::Index(Box::new(base), vec![i]);
                return TExpr { kind, ty: row_ty, ad, span };
            };
            let Some(cols) = self.check_pick_index(second) else {
                return err_expr(span);
            };
            return match cols {
                PickIndex::Single(j) => {
                    let ty = index_type(&row_ty).expect("a row has elements");
                    let ad = ad && ty != Ty::Int;
                    TExpr { kind: TExprKind::Index(Box::new(base), vec![i, j]), ty, ad, span }
                }
                PickIndex::All => {
                    self.finish_part(base, vec![i], row_ty, PartIndex::Range(None, None), span)
                }
                PickIndex::Range(lo, hi) => {
                    self.finish_part(base, vec![i], row_ty, PartIndex::Range(lo, hi), span)
                }
                PickIndex::Multi(idx) => {
                    self.finish_part(base, vec![i], row_ty, PartIndex::Multi(idx), span)
                }
            };
        }
        let cols = match second {
            None => None,
            Some(index) => match self.check_pick_index(index) {
                Some(c) => Some(c),
                None => return err_expr(span),
            },
        };
        // One column of the rows is one level; anything else keeps both.
        let ty = match (&cols, &base.ty) {
            (Some(PickIndex::Single(_)), Ty::Matrix) => Ty::Vector,
            (Some(PickIndex::Single(_)), Ty::Array(inner)) => {
                Ty::Array(Box::new(index_type(inner).expect("rows have elements")))
            }
            _ => base.ty.clone(),
        };
        let kind = TExprKind::Pick {
            base: Box::new(base),
            rows: Box::new(rows),
            cols: cols.map(Box::new),
        };
        TExpr { kind, ty, ad, span }
    }

    /// One index of a two-level variable, checked: a single `int`, an index array, a range or
    /// `:`.
    fn check_pick_index(&mut self, index: syntax::Index) -> Option<PickIndex> {
        match index {
            syntax::Index::All => Some(PickIndex::All),
            syntax::Index::Range(lo, hi) => {
                let lo = self.check_range_bound(lo)?;
                let hi = self.check_range_bound(hi)?;
                Some(PickIndex::Range(lo, hi))
            }
            syntax::Index::Single(e) => {
                let t = self.check_expr(e);
                if t.ty.is_error() {
                    return None;
                }
                match &t.ty {
                    Ty::Int => Some(PickIndex::Single(t)),
                    Ty::Array(inner) if **inner == Ty::Int => Some(PickIndex::Multi(t)),
                    other => {
                        self.cx.error(
                            t.span,
                            format!("an index must be an `int`, found `{}`", other.describe()),
                        );
                        None
                    }
                }
            }
        }
    }

    fn finish_part(
        &mut self,
        base: TExpr,
        singles: Vec<TExpr>,
        ty: Ty,
        part: PartIndex,
        span: Span,
    ) -> TExpr {
        // A range of the outer level of a deeper array that is a variable (or a part of one)
        // is a view of it, as a variable is; an index array on it picks copies of elements.
        let deep = ty.levels() > 2
            && match part {
                PartIndex::Range(..) => is_place(&base),
                PartIndex::Multi(_) => {
                    is_place(&base) || matches!(base.kind, TExprKind::UserCall { .. })
                }
            };
        if ty.levels() != 1 && !deep {
            self.cx.error(
                span,
                format!(
                    "slicing or multi-indexing a `{}` is not supported by Tilde yet (only \
                     one-level containers such as `vector` and `array[] real`, and the outer \
                     level of containers nested more than two levels)",
                    ty.describe()
                ),
            );
            return err_expr(span);
        }
        let ad = base.ad && ty.strip_arrays().0 != &Ty::Int;
        let inner = if singles.is_empty() {
            base
        } else {
            TExpr { kind: TExprKind::Index(Box::new(base), singles), ty: ty.clone(), ad, span }
        };
        let kind = match part {
            PartIndex::Range(lo, hi) => TExprKind::Slice {
                base: Box::new(inner),
                lower: lo.map(Box::new),
                upper: hi.map(Box::new),
            },
            PartIndex::Multi(idx) => {
                TExprKind::MultiIndex { base: Box::new(inner), index: Box::new(idx) }
            }
        };
        TExpr { kind, ty, ad, span }
    }

    fn check_call(
        &mut self,
        name: Ident,
        args: Vec<Expr>,
        conditional: bool,
        whole: bool,
        span: Span,
    ) -> TExpr {
        let fname = name.to_string();
        if let Some((solver, with_control)) = builtins::ode_solver(&fname) {
            return self.check_ode_call(solver, with_control, name, args, whole, conditional, span);
        }
        if fname == "target" && args.is_empty() {
            let message = "`target()`, the log density so far, is not supported by Tilde yet";
            self.cx.error(name.span(), message);
            return err_expr(span);
        }
        if builtins::is_not_yet_supported(&fname) && !self.functions.contains_key(&fname) {
            self.cx.error(
                name.span(),
                format!("`{fname}` is a Stan function that Tilde does not support yet"),
            );
            return err_expr(span);
        }
        let args: Vec<TExpr> = args.into_iter().map(|a| self.check_expr(a)).collect();
        if args.iter().any(|a| a.ty.is_error()) {
            return err_expr(span);
        }
        let ad = args.iter().any(|a| a.ad);
        if let Some(sig) = self.functions.get(&fname).cloned() {
            return self.check_user_call(sig, name, args, conditional, span);
        }
        // `foo_lupdf` calls the user's `foo_lpdf` (constants are kept inside user functions).
        let full = fname.replace("_lupdf", "_lpdf").replace("_lupmf", "_lpmf");
        if full != fname
            && let Some(sig) = self.functions.get(&full).cloned()
        {
            if self.block != BlockKind::Model && self.current.is_none() {
                self.cx
                    .error(span, "`_lupdf`/`_lupmf` calls are only allowed in the `model` block");
            }
            let name = Ident::new(&full, name.span());
            return self.check_user_call(sig, name, args, conditional, span);
        }
        let Some(builtin) = builtins::lookup_with_arity(&fname, args.len()) else {
            let family = fname.strip_suffix("_cdf").filter(|f| builtins::has_only_log_cdfs(f));
            let message = match family {
                Some(f) => format!(
                    "unknown function `{fname}`: Stan has no `{fname}`, only `{f}_lcdf` and \
                     `{f}_lccdf`"
                ),
                None => format!("unknown function `{fname}`"),
            };
            self.cx.error(span, message);
            return err_expr(span);
        };
        let is_density = matches!(builtin, Builtin::Density { .. } | Builtin::Cdf { .. });
        if conditional && !is_density {
            self.cx.error(
                span,
                format!(
                    "`|` may only follow the outcome of a `_lpdf`/`_lpmf` call, and `{fname}` is \
                     not one"
                ),
            );
        }
        if is_density && !conditional && args.len() > 1 {
            self.cx.error(
                span,
                format!("`{fname}` takes its outcome before a `|`: `{fname}(y | ...)`"),
            );
        }
        let arity_error = |ck: &mut Self, want: &str| {
            ck.cx.error(span, format!("`{fname}` takes {want} argument(s), found {}", args.len()));
            err_expr(span)
        };
        match builtin {
            Builtin::ScalarFn { runtime, arity } => {
                if args.len() != arity {
                    return arity_error(self, &arity.to_string());
                }
                // Stan's `max` and `min` of two ints are ints.
                if matches!(runtime, "fmax" | "fmin") && args.iter().all(|a| a.ty == Ty::Int) {
                    let f = if runtime == "fmax" { "imax2" } else { "imin2" };
                    return TExpr { kind: TExprKind::IntFn(f, args), ty: Ty::Int, ad: false, span };
                }
                if args.iter().all(|a| a.ty.is_scalar()) {
                    return TExpr {
                        kind: TExprKind::ScalarFn(runtime, args),
                        ty: Ty::Real,
                        ad,
                        span,
                    };
                }
                // Stan applies the function elementwise to containers of one shape, with
                // scalars broadcast; `log_mix` and two-argument `log_sum_exp`, `max` and `min`
                // mean something else or nothing for containers.
                let elementwise = !matches!(runtime, "log_mix" | "log_sum_exp")
                    && !matches!(fname.as_str(), "max" | "min");
                let mut shape: Option<Ty> = None;
                for a in args.iter().filter(|a| !a.ty.is_scalar()) {
                    let this = if a.ty.levels() <= 2 { real_valued(&a.ty) } else { Ty::Error };
                    let problem = if !elementwise {
                        Some(format!(
                            "`{fname}` takes `real` arguments, found `{}`",
                            a.ty.describe()
                        ))
                    } else if this.is_error() {
                        Some(format!(
                            "`{fname}` of a `{}` is not supported by Tilde yet (containers \
                             nested more than two levels)",
                            a.ty.describe()
                        ))
                    } else if shape.as_ref().is_some_and(|s| *s != this) {
                        Some(format!(
                            "`{fname}` takes containers of one type, found `{}` and `{}`",
                            shape.as_ref().map_or(String::new(), Ty::describe),
                            a.ty.describe()
                        ))
                    } else {
                        None
                    };
                    if let Some(message) = problem {
                        self.cx.error(a.span, message);
                        return err_expr(span);
                    }
                    shape = Some(this);
                }
                let ty = shape.expect("a container argument");
                TExpr { kind: TExprKind::ScalarFn(runtime, args), ty, ad, span }
            }
            Builtin::Transpose => {
                if args.len() != 1 {
                    return arity_error(self, "1");
                }
                let arg = args.into_iter().next().expect("one argument");
                let ty = match arg.ty {
                    Ty::Vector => Ty::RowVector,
                    Ty::RowVector => Ty::Vector,
                    Ty::Matrix => Ty::Matrix,
                    _ => {
                        self.cx.error(
                            arg.span,
                            format!(
                                "`transpose` takes a `vector`, `row_vector` or `matrix`, found \
                                 `{}`",
                                arg.ty.describe()
                            ),
                        );
                        return err_expr(span);
                    }
                };
                TExpr { kind: TExprKind::Transpose(Box::new(arg)), ty, ad, span }
            }
            Builtin::Constant(v) => {
                if !args.is_empty() {
                    return arity_error(self, "no");
                }
                TExpr { kind: TExprKind::Constant(v), ty: Ty::Real, ad: false, span }
            }
            Builtin::Elementwise(f) => {
                if args.len() != 1 {
                    return arity_error(self, "1");
                }
                let arg = args.into_iter().next().expect("one argument");
                if arg.ty == Ty::Int && matches!(f, Elementwise::Method("abs")) {
                    // Stan's `abs` of an int is an int.
                    let kind = TExprKind::IntFn("iabs", vec![arg]);
                    return TExpr { kind, ty: Ty::Int, ad: false, span };
                }
                let ty = match &arg.ty {
                    Ty::Int | Ty::Real => Ty::Real,
                    Ty::Vector | Ty::RowVector | Ty::Matrix => arg.ty.clone(),
                    t => real_valued(t),
                };
                TExpr { kind: TExprKind::Elementwise(f, Box::new(arg)), ty, ad, span }
            }
            Builtin::Reduce(r) => {
                let want = if r == Reduction::DotProduct { 2 } else { 1 };
                if args.len() != want {
                    return arity_error(self, if want == 2 { "2" } else { "1" });
                }
                // `sum`, `prod`, `max` and `min` of an `array[] int` are ints, as in Stan.
                let int_array = |a: &TExpr| matches!(&a.ty, Ty::Array(inner) if **inner == Ty::Int);
                let int_reduction = match r {
                    Reduction::Sum => Some("isum"),
                    Reduction::Prod => Some("iprod"),
                    Reduction::Max => Some("imax"),
                    Reduction::Min => Some("imin"),
                    _ => None,
                };
                if let (Some(f), [a]) = (int_reduction, args.as_slice())
                    && int_array(a)
                {
                    return TExpr { kind: TExprKind::IntFn(f, args), ty: Ty::Int, ad: false, span };
                }
                let matrix_ok = !matches!(r, Reduction::DotProduct | Reduction::DotSelf);
                for a in &args {
                    let ok = a.ty.is_vector_like()
                        || (matrix_ok && a.ty == Ty::Matrix)
                        || matches!(&a.ty, Ty::Array(inner) if inner.is_scalar());
                    if !ok {
                        let what = if matrix_ok {
                            "a `vector`, `row_vector`, `matrix` or `array[] real`"
                        } else {
                            "a `vector`, `row_vector` or `array[] real`"
                        };
                        self.cx.error(
                            a.span,
                            format!("`{fname}` takes {what}, found `{}`", a.ty.describe()),
                        );
                        return err_expr(span);
                    }
                }
                // A reduction of a matrix is the reduction of its entries.
                let args = args
                    .into_iter()
                    .map(|a| {
                        if a.ty == Ty::Matrix {
                            let (ad, span) = (a.ad, a.span);
                            let kind = TExprKind::MatrixFn("to_vector", vec![a]);
                            TExpr { kind, ty: Ty::Vector, ad, span }
                        } else {
                            a
                        }
                    })
                    .collect();
                TExpr { kind: TExprKind::Reduce(r, args), ty: Ty::Real, ad, span }
            }
            Builtin::Density { family, propto } => {
                let Some(first) = args.first() else {
                    return arity_error(self, "at least 1");
                };
                let name_ident = Ident::new(&family, name.span());
                let Some(dist) = self.check_density(&family, &name_ident, first, &args[1..]) else {
                    return err_expr(span);
                };
                let want = if dist.suffix == "lpmf" { "_lpmf" } else { "_lpdf" };
                let used = if fname.ends_with("pmf") { "_lpmf" } else { "_lpdf" };
                if want != used {
                    self.cx.error(
                        span,
                        format!(
                            "`{family}` is {}: use `{family}{want}`",
                            if want == "_lpmf" { "discrete" } else { "continuous" }
                        ),
                    );
                }
                if propto && !matches!(self.block, BlockKind::Model) {
                    self.cx.error(
                        span,
                        "`_lupdf`/`_lupmf` calls are only allowed in the `model` block",
                    );
                }
                TExpr { kind: TExprKind::Density { dist, propto, args }, ty: Ty::Real, ad, span }
            }
            Builtin::Cdf { family, which } => {
                let Some(first) = args.first() else {
                    return arity_error(self, "at least 1");
                };
                let name_ident = Ident::new(&family, name.span());
                if self.check_density(&family, &name_ident, first, &args[1..]).is_none() {
                    return err_expr(span);
                }
                TExpr { kind: TExprKind::Cdf { family, which, args }, ty: Ty::Real, ad, span }
            }
            Builtin::Rng { family } => {
                self.check_rng_placement(span);
                let Some(sig) = builtins::distribution(&family) else {
                    return err_expr(span);
                };
                if args.len() != sig.params.len() {
                    return arity_error(self, &sig.params.len().to_string());
                }
                // Each argument is a scalar or a one-level container; any container makes the
                // result an array of draws, one per element, as in Stan.
                for (k, (a, pname)) in args.iter().zip(sig.param_names()).enumerate() {
                    let (leaf, arrays) = a.ty.strip_arrays();
                    let ok = if sig.int_param(k) {
                        *leaf == Ty::Int && arrays <= 1
                    } else {
                        a.ty.is_scalar()
                            || a.ty.is_vector_like()
                            || (arrays == 1 && leaf.is_scalar())
                    };
                    if !ok {
                        let expected = if sig.int_param(k) {
                            "an `int` or `array[] int`"
                        } else {
                            "a `real`, `vector`, `row_vector` or `array[] real`"
                        };
                        self.cx.error(
                            a.span,
                            format!(
                                "`{fname}`: {pname} must be {expected}, found `{}`",
                                a.ty.describe()
                            ),
                        );
                        return err_expr(span);
                    }
                }
                let elem = if sig.discrete { Ty::Int } else { Ty::Real };
                let vectorised = args.iter().any(|a| !a.ty.is_scalar());
                let ty = if vectorised { Ty::array_of(elem, 1) } else { elem };
                TExpr { kind: TExprKind::Rng { family, args }, ty, ad: false, span }
            }
            Builtin::Size(which) => {
                if args.len() != 1 {
                    return arity_error(self, "1");
                }
                let arg = args.into_iter().next().expect("one argument");
                if arg.ty.is_scalar() && !matches!(which, "size" | "dims") {
                    self.cx.error(arg.span, format!("`{fname}` takes a container"));
                    return err_expr(span);
                }
                // `dims` gives every size, outermost first: none for a scalar.
                let ty = if which == "dims" { Ty::array_of(Ty::Int, 1) } else { Ty::Int };
                TExpr { kind: TExprKind::Size(which, Box::new(arg)), ty, ad: false, span }
            }
            Builtin::Matrix(stan_name) => match matrix_function(stan_name, &args) {
                Ok((runtime, ty)) => {
                    let ad = ad && ty.strip_arrays().0 != &Ty::Int;
                    TExpr { kind: TExprKind::MatrixFn(runtime, args), ty, ad, span }
                }
                Err(expected) => self.signature_error(span, &fname, expected, &args),
            },
            Builtin::MultiRng(stan_name) => {
                self.check_rng_placement(span);
                match rng_function(stan_name, &args) {
                    // A draw holds no parameters, whatever its arguments.
                    Ok((runtime, ty)) => {
                        TExpr { kind: TExprKind::MatrixFn(runtime, args), ty, ad: false, span }
                    }
                    Err(expected) => self.signature_error(span, &fname, expected, &args),
                }
            }
            Builtin::Rep(kind) => {
                if args.len() != 2 {
                    return arity_error(self, "2");
                }
                let mut it = args.into_iter();
                let (x, n) = (it.next().expect("two"), it.next().expect("two"));
                if n.ty != Ty::Int {
                    self.cx.error(
                        n.span,
                        format!("a size must be an `int`, found `{}`", n.ty.describe()),
                    );
                    return err_expr(span);
                }
                let ty = match kind {
                    "rep_array" if x.ty.is_scalar() => Ty::Array(Box::new(x.ty.clone())),
                    "rep_vector" if x.ty.is_scalar() => Ty::Vector,
                    "rep_row_vector" if x.ty.is_scalar() => Ty::RowVector,
                    _ => {
                        self.cx.error(x.span, format!("`{fname}` takes a scalar value here"));
                        return err_expr(span);
                    }
                };
                let ad = x.ad;
                TExpr { kind: TExprKind::Rep(Box::new(x), Box::new(n)), ty, ad, span }
            }
        }
    }
}

/// The last index of an indexing expression when it takes a part of a container.
enum PartIndex {
    Range(Option<TExpr>, Option<TExpr>),
    Multi(TExpr),
}

/// The type of indexing a value of type `ty` once.
fn index_type(ty: &Ty) -> Option<Ty> {
    match ty {
        Ty::Array(inner) => Some((**inner).clone()),
        Ty::Vector | Ty::RowVector => Some(Ty::Real),
        Ty::Matrix => Some(Ty::RowVector),
        _ => None,
    }
}

/// Whether a value of type `value` may be stored in a place of type `target` (int promotes to
/// real, also inside arrays).
pub fn assignable(target: &Ty, value: &Ty) -> bool {
    match (target, value) {
        (a, b) if a == b => true,
        (Ty::Real, Ty::Int) => true,
        (Ty::Array(a), Ty::Array(b)) => assignable(a, b),
        _ => false,
    }
}

fn common_type(a: &Ty, b: &Ty) -> Option<Ty> {
    if assignable(a, b) {
        Some(a.clone())
    } else if assignable(b, a) {
        Some(b.clone())
    } else {
        None
    }
}

/// The type with the same shape as `t` whose elements are reals: a function of reals applied
/// elementwise to `t` has this type.
fn real_valued(t: &Ty) -> Ty {
    match t {
        Ty::Int => Ty::Real,
        Ty::Array(inner) => Ty::Array(Box::new(real_valued(inner))),
        other => other.clone(),
    }
}

/// Stan's result type of a binary operator, or `None` when it is not defined.
pub fn binary_type(op: BinOp, a: &Ty, b: &Ty) -> Option<Ty> {
    use Ty::*;
    let scalar = |t: &Ty| t.is_scalar();
    match op {
        BinOp::Or | BinOp::And | BinOp::Eq | BinOp::Ne => (scalar(a) && scalar(b)).then_some(Int),
        BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => (scalar(a) && scalar(b)).then_some(Int),
        BinOp::Mod | BinOp::IntDiv => (*a == Int && *b == Int).then_some(Int),
        BinOp::Pow => (scalar(a) && scalar(b)).then_some(Real),
        BinOp::EltPow => None,
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::EltMul | BinOp::EltDiv => {
            match (a, b) {
                (Int, Int) if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) => {
                    Some(Int)
                }
                (Int, Int) => Some(Real),
                (x, y) if scalar(x) && scalar(y) => Some(Real),
                (Matrix, Vector) if op == BinOp::Mul => Some(Vector),
                (RowVector, Vector) if op == BinOp::Mul => Some(Real),
                (Matrix, Matrix) if op == BinOp::Mul => Some(Matrix),
                (Vector, RowVector) if op == BinOp::Mul => Some(Matrix),
                (RowVector, Matrix) if op == BinOp::Mul => Some(RowVector),
                (Matrix, s) if scalar(s) => Some(Matrix),
                (s, Matrix) if scalar(s) => (op != BinOp::Div).then_some(Matrix),
                (Matrix, Matrix) => {
                    matches!(op, BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv)
                        .then_some(Matrix)
                }
                (v, s) if v.is_vector_like() && scalar(s) => {
                    // vector / scalar and vector * scalar are fine; so are the elementwise ops.
                    Some(v.clone())
                }
                (s, v) if scalar(s) && v.is_vector_like() => matches!(
                    op,
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::EltMul | BinOp::EltDiv
                )
                .then(|| v.clone()),
                (x, y) if x.is_vector_like() && x == y => {
                    matches!(op, BinOp::Add | BinOp::Sub | BinOp::EltMul | BinOp::EltDiv)
                        .then(|| x.clone())
                }
                _ => None,
            }
        }
    }
}

/// The runtime function and result type of the matrix function `name` on `args`, or what it
/// takes, for the error.
fn matrix_function(name: &str, args: &[TExpr]) -> Result<(&'static str, Ty), &'static str> {
    use Ty::*;
    let tys: Vec<&Ty> = args.iter().map(|a| &a.ty).collect();
    let real_array = |t: &Ty| matches!(t, Array(inner) if inner.is_scalar());
    let vec_like = |t: &Ty| t.is_vector_like();
    let one_level = |t: &Ty| t.is_vector_like() || real_array(t);
    let is_int = |t: &Ty| *t == Int;
    match (name, tys.as_slice()) {
        ("cholesky_decompose", [Matrix]) => Ok(("cholesky_decompose", Matrix)),
        ("cholesky_decompose", _) => Err("a `matrix`"),
        ("gp_exp_quad_cov" | "cov_exp_quad", [x, a, r])
            if real_array(x) && a.is_scalar() && r.is_scalar() =>
        {
            Ok(("gp_exp_quad_cov", Matrix))
        }
        ("gp_exp_quad_cov" | "cov_exp_quad", _) => {
            Err("an `array[] real` of points, a magnitude and a length scale")
        }
        ("add_diag", [Matrix, d]) if d.is_scalar() || vec_like(d) => Ok(("add_diag", Matrix)),
        ("add_diag", _) => Err("a `matrix` and a `real`, `vector` or `row_vector`"),
        ("diag_matrix", [Vector]) => Ok(("diag_matrix", Matrix)),
        ("diag_matrix", _) => Err("a `vector`"),
        ("diagonal", [Matrix]) => Ok(("diagonal", Vector)),
        ("diagonal", _) => Err("a `matrix`"),
        ("diag_pre_multiply", [v, Matrix]) if vec_like(v) => Ok(("diag_pre_multiply", Matrix)),
        ("diag_pre_multiply", _) => Err("a `vector` or `row_vector` and a `matrix`"),
        ("diag_post_multiply", [Matrix, v]) if vec_like(v) => Ok(("diag_post_multiply", Matrix)),
        ("diag_post_multiply", _) => Err("a `matrix` and a `vector` or `row_vector`"),
        ("identity_matrix", [Int]) => Ok(("identity_matrix", Matrix)),
        ("identity_matrix", _) => Err("an `int`"),
        ("rep_matrix", [x, m, n]) if x.is_scalar() && is_int(m) && is_int(n) => {
            Ok(("rep_matrix", Matrix))
        }
        ("rep_matrix", [Vector, n]) if is_int(n) => Ok(("rep_matrix_columns", Matrix)),
        ("rep_matrix", [RowVector, m]) if is_int(m) => Ok(("rep_matrix_rows", Matrix)),
        ("rep_matrix", _) => Err("a `real` and two `int` sizes, or a vector and an `int`"),
        ("crossprod", [Matrix]) => Ok(("crossprod", Matrix)),
        ("tcrossprod", [Matrix]) => Ok(("tcrossprod", Matrix)),
        ("multiply_lower_tri_self_transpose", [Matrix]) => {
            Ok(("multiply_lower_tri_self_transpose", Matrix))
        }
        ("crossprod" | "tcrossprod" | "multiply_lower_tri_self_transpose", _) => Err("a `matrix`"),
        ("mdivide_left_tri_low", [Matrix, Vector]) => Ok(("mdivide_left_tri_low", Vector)),
        ("mdivide_left_tri_low", [Matrix, Matrix]) => Ok(("mdivide_left_tri_low_matrix", Matrix)),
        ("mdivide_left_tri_low", _) => Err("a `matrix` and a `vector` or `matrix`"),
        ("mdivide_right_tri_low", [RowVector, Matrix]) => Ok(("mdivide_right_tri_low", RowVector)),
        ("mdivide_right_tri_low", [Matrix, Matrix]) => Ok(("mdivide_right_tri_low_matrix", Matrix)),
        ("mdivide_right_tri_low", _) => Err("a `row_vector` or `matrix` and a `matrix`"),
        ("inverse", [Matrix]) => Ok(("inverse", Matrix)),
        ("inverse", _) => Err("a `matrix`"),
        ("mdivide_left", [Matrix, Vector]) => Ok(("mdivide_left", Vector)),
        ("mdivide_left", [Matrix, Matrix]) => Ok(("mdivide_left_matrix", Matrix)),
        ("mdivide_left_spd", [Matrix, Vector]) => Ok(("mdivide_left_spd", Vector)),
        ("mdivide_left_spd", [Matrix, Matrix]) => Ok(("mdivide_left_spd_matrix", Matrix)),
        ("mdivide_left" | "mdivide_left_spd", _) => Err("a `matrix` and a `vector` or `matrix`"),
        ("mdivide_right", [RowVector, Matrix]) => Ok(("mdivide_right", RowVector)),
        ("mdivide_right", [Matrix, Matrix]) => Ok(("mdivide_right_matrix", Matrix)),
        ("mdivide_right_spd", [RowVector, Matrix]) => Ok(("mdivide_right_spd", RowVector)),
        ("mdivide_right_spd", [Matrix, Matrix]) => Ok(("mdivide_right_spd_matrix", Matrix)),
        ("mdivide_right" | "mdivide_right_spd", _) => {
            Err("a `row_vector` or `matrix` and a `matrix`")
        }
        ("log_determinant", [Matrix]) => Ok(("log_determinant", Real)),
        ("log_determinant", _) => Err("a `matrix`"),
        ("to_vector", [Matrix]) => Ok(("to_vector", Vector)),
        ("to_vector", [x]) if one_level(x) => Ok(("to_vector_of", Vector)),
        ("to_vector", _) => Err("a `matrix`, `vector`, `row_vector` or `array[] real`"),
        ("to_matrix", [Matrix]) => Ok(("to_matrix", Matrix)),
        ("to_matrix", [Array(inner)]) if matches!(&**inner, Array(r) if **r == Real) => {
            Ok(("to_matrix", Matrix))
        }
        ("to_matrix", [x, m, n]) if one_level(x) && is_int(m) && is_int(n) => {
            Ok(("to_matrix_sized", Matrix))
        }
        ("to_matrix", _) => Err("a `matrix`, an `array[,] real`, or a vector and two `int` sizes"),
        ("softmax", [Vector]) => Ok(("softmax", Vector)),
        ("log_softmax", [Vector]) => Ok(("log_softmax", Vector)),
        ("softmax" | "log_softmax", _) => Err("a `vector`"),
        ("rows_dot_product", [Vector, Vector]) => Ok(("rows_dot_product", Vector)),
        ("rows_dot_product", [RowVector, RowVector]) => Ok(("rows_dot_product_row", Vector)),
        ("rows_dot_product", [Matrix, Matrix]) => Ok(("rows_dot_product_matrix", Vector)),
        ("columns_dot_product", [Vector, Vector]) => Ok(("columns_dot_product", RowVector)),
        ("columns_dot_product", [RowVector, RowVector]) => {
            Ok(("columns_dot_product_row", RowVector))
        }
        ("columns_dot_product", [Matrix, Matrix]) => Ok(("columns_dot_product_matrix", RowVector)),
        ("rows_dot_product" | "columns_dot_product", _) => {
            Err("two `vector`s, two `row_vector`s or two `matrix`es")
        }
        ("columns_dot_self", [Matrix]) => Ok(("columns_dot_self", RowVector)),
        ("columns_dot_self", [Vector]) => Ok(("columns_dot_self_vector", RowVector)),
        ("columns_dot_self", [RowVector]) => Ok(("columns_dot_self_row", RowVector)),
        ("columns_dot_self", _) => Err("a `matrix`, `vector` or `row_vector`"),
        ("cumulative_sum", [Array(inner)]) if **inner == Int => {
            Ok(("cumulative_sum_int", Array(Box::new(Int))))
        }
        ("cumulative_sum", [x]) if one_level(x) => Ok(("cumulative_sum", (*x).clone())),
        ("cumulative_sum", _) => Err("a `vector`, `row_vector`, `array[] real` or `array[] int`"),
        ("append_row", [a, b])
            if (**a == Vector || a.is_scalar())
                && (**b == Vector || b.is_scalar())
                && (**a == Vector || **b == Vector) =>
        {
            Ok(("append_vectors", Vector))
        }
        ("append_row", [a, b])
            if matches!(a, Matrix | RowVector) && matches!(b, Matrix | RowVector) =>
        {
            Ok(("append_row_matrix", Matrix))
        }
        ("append_row", _) => {
            Err("two of `vector` and `real` (at least one `vector`), or two of `matrix` and \
                 `row_vector`")
        }
        ("append_col", [a, b])
            if (**a == RowVector || a.is_scalar())
                && (**b == RowVector || b.is_scalar())
                && (**a == RowVector || **b == RowVector) =>
        {
            Ok(("append_vectors", RowVector))
        }
        ("append_col", [a, b]) if matches!(a, Matrix | Vector) && matches!(b, Matrix | Vector) => {
            Ok(("append_col_matrix", Matrix))
        }
        ("append_col", _) => {
            Err("two of `row_vector` and `real` (at least one `row_vector`), or two of `matrix` \
                 and `vector`")
        }
        ("head" | "tail", [Array(inner), n]) if **inner == Int && is_int(n) => {
            Ok((if name == "head" { "head_int" } else { "tail_int" }, Array(Box::new(Int))))
        }
        ("head" | "tail", [x, n]) if one_level(x) && is_int(n) => {
            Ok((if name == "head" { "head" } else { "tail" }, (*x).clone()))
        }
        ("head" | "tail", _) => {
            Err("a `vector`, `row_vector` or one-level array and an `int` count")
        }
        ("segment", [Array(inner), i, n]) if **inner == Int && is_int(i) && is_int(n) => {
            Ok(("segment_int", Array(Box::new(Int))))
        }
        ("segment", [x, i, n]) if one_level(x) && is_int(i) && is_int(n) => {
            Ok(("segment", (*x).clone()))
        }
        ("segment", _) => {
            Err("a `vector`, `row_vector` or one-level array, an `int` start and an `int` count")
        }
        ("quad_form", [Matrix, Matrix]) => Ok(("quad_form_matrix", Matrix)),
        ("quad_form", [Matrix, Vector]) => Ok(("quad_form", Real)),
        ("quad_form_sym", [Matrix, Matrix]) => Ok(("quad_form_sym_matrix", Matrix)),
        ("quad_form_sym", [Matrix, Vector]) => Ok(("quad_form_sym", Real)),
        ("quad_form" | "quad_form_sym", _) => Err("a `matrix` and a `matrix` or `vector`"),
        ("quad_form_diag", [Matrix, v]) if vec_like(v) => Ok(("quad_form_diag", Matrix)),
        _ => Err("a `matrix` and a `vector` or `row_vector`"),
    }
}

/// The result type of the multivariate or ordinal `_rng` called `name` on `args` (Stan's
/// signatures), or what it takes, for the error. The runtime function has the same name.
fn rng_function(name: &'static str, args: &[TExpr]) -> Result<(&'static str, Ty), &'static str> {
    use Ty::*;
    let tys: Vec<&Ty> = args.iter().map(|a| &a.ty).collect();
    let vec_like = |t: &Ty| t.is_vector_like();
    let real = |t: &Ty| t.is_scalar();
    // An array of locations draws one vector per location, as in Stan.
    let locations = |t: &Ty| matches!(t, Array(inner) if inner.is_vector_like());
    let vectors = || Ty::array_of(Vector, 1);
    let ty = match (name, tys.as_slice()) {
        ("multi_normal_rng", [mu, Matrix]) if locations(mu) => {
            return Ok(("multi_normal_array_rng", vectors()));
        }
        ("multi_normal_cholesky_rng", [mu, Matrix]) if locations(mu) => {
            return Ok(("multi_normal_cholesky_array_rng", vectors()));
        }
        ("multi_student_t_rng", [nu, mu, Matrix]) if real(nu) && locations(mu) => {
            return Ok(("multi_student_t_array_rng", vectors()));
        }
        ("categorical_rng" | "categorical_logit_rng", [Vector]) => Int,
        ("categorical_rng" | "categorical_logit_rng", _) => return Err("a `vector`"),
        ("ordered_logistic_rng" | "ordered_probit_rng", [eta, Vector]) if real(eta) => Int,
        ("ordered_logistic_rng" | "ordered_probit_rng", _) => {
            return Err("a `real` linear predictor and a `vector` of cut-points");
        }
        ("multinomial_rng", [Vector, Int]) => Ty::array_of(Int, 1),
        ("multinomial_rng", _) => return Err("a `vector` simplex and an `int` number of trials"),
        ("dirichlet_rng", [Vector]) => Vector,
        ("dirichlet_rng", _) => return Err("a `vector`"),
        ("multi_normal_rng" | "multi_normal_cholesky_rng", [mu, Matrix]) if vec_like(mu) => Vector,
        ("multi_normal_rng" | "multi_normal_cholesky_rng", _) => {
            return Err("a `vector`, `row_vector` or `array[] vector` location and a `matrix`");
        }
        ("multi_student_t_rng", [nu, mu, Matrix]) if real(nu) && vec_like(mu) => Vector,
        ("multi_student_t_rng", _) => {
            return Err(
                "a `real`, a `vector`, `row_vector` or `array[] vector` location and a `matrix`",
            );
        }
        ("lkj_corr_rng" | "lkj_corr_cholesky_rng", [Int, eta]) if real(eta) => Matrix,
        ("lkj_corr_rng" | "lkj_corr_cholesky_rng", _) => {
            return Err("an `int` size and a `real` shape");
        }
        ("wishart_rng" | "inv_wishart_rng", [nu, Matrix]) if real(nu) => Matrix,
        _ => return Err("a `real` and a `matrix`"),
    };
    Ok((name, ty))
}

/// Whether `e` is a variable, possibly indexed by single indices and ranges: a value that code
/// generation reads in place.
fn is_place(e: &TExpr) -> bool {
    match &e.kind {
        TExprKind::Var(_) => true,
        TExprKind::Index(base, _) | TExprKind::Slice { base, .. } => is_place(base),
        _ => false,
    }
}
