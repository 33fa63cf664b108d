//! The typed intermediate form that checking produces and code generation consumes.
//!
//! Contract: every expression carries its Stan type and whether it may depend on parameters
//! (`ad`, Stan's "autodiff level"); every variable reference is resolved to a [`VarId`] whose
//! [`VarInfo`] says where the value lives. Code generation can trust all of this and report no
//! errors of its own.

use crate::syntax::{BinOp, BlockKind, UnOp};
use proc_macro2::Span;
use syn::{Attribute, Ident, LitStr, Visibility};

/// A Stan type without sizes.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Ty {
    Int,
    Real,
    Vector,
    RowVector,
    Matrix,
    Array(Box<Ty>),
    /// The type of a statement-like call that returns nothing.
    Void,
    /// Stands in after an error, so that one mistake does not cascade into many.
    Error,
}

impl Ty {
    pub fn is_scalar(&self) -> bool {
        matches!(self, Ty::Int | Ty::Real)
    }

    pub fn is_vector_like(&self) -> bool {
        matches!(self, Ty::Vector | Ty::RowVector)
    }

    pub fn array_of(elem: Ty, dims: usize) -> Ty {
        (0..dims).fold(elem, |t, _| Ty::Array(Box::new(t)))
    }

    /// The innermost element type and the number of array dimensions around it.
    pub fn strip_arrays(&self) -> (&Ty, usize) {
        let mut t = self;
        let mut n = 0;
        while let Ty::Array(inner) = t {
            t = inner;
            n += 1;
        }
        (t, n)
    }

    /// How many container levels the type has: 0 for scalars, 1 for `vector` or
    /// `array[] real`, 2 for `matrix`, `array[] vector` or `array[,] real`.
    pub fn levels(&self) -> usize {
        let (leaf, arrays) = self.strip_arrays();
        arrays
            + match leaf {
                Ty::Vector | Ty::RowVector => 1,
                Ty::Matrix => 2,
                _ => 0,
            }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Ty::Error)
    }

    pub fn describe(&self) -> String {
        match self {
            Ty::Int => "int".into(),
            Ty::Real => "real".into(),
            Ty::Vector => "vector".into(),
            Ty::RowVector => "row_vector".into(),
            Ty::Matrix => "matrix".into(),
            Ty::Void => "void".into(),
            Ty::Error => "<error>".into(),
            Ty::Array(_) => {
                let (elem, n) = self.strip_arrays();
                let commas = ",".repeat(n - 1);
                format!("array[{commas}] {}", elem.describe())
            }
        }
    }
}

pub type VarId = usize;

/// Where a variable's value lives in generated code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Origin {
    /// A field of the model struct, fixed after construction (data and transformed data).
    Field(BlockKind),
    /// A parameter, transformed parameter or generated quantity.
    Output(BlockKind),
    /// A local variable of a statement block.
    Local,
    /// A loop variable.
    Loop,
    /// An argument of a user-defined function (read-only; containers are borrowed slices).
    Arg,
}

/// What a user-defined function's name suffix makes it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FunKind {
    Plain,
    /// `_lpdf` or `_lpmf`: usable with `~` and with `|`.
    Density,
    /// `_lp`: may use `target +=` and `~`; receives the caller's target.
    Lp,
    /// `_rng`: may call random number generators; receives the caller's stream.
    Rng,
}

pub struct TFunction {
    pub name: Ident,
    pub kind: FunKind,
    pub ret: Option<Ty>,
    pub params: Vec<VarId>,
    pub body: Vec<TStmt>,
}

pub struct VarInfo {
    pub name: Ident,
    pub ty: Ty,
    pub ad: bool,
    pub origin: Origin,
}

/// Sizes of a declaration: array dimensions, then the vector or matrix sizes.
pub struct Sizes {
    pub array_dims: Vec<TExpr>,
    pub sizes: Vec<TExpr>,
    /// The one size in `sizes` gives both the rows and the columns (`cov_matrix[K]`).
    pub square: bool,
    /// `array_dims` and then `sizes` as the user wrote them, for messages about a bad size.
    pub texts: Vec<String>,
}

pub enum TConstraint {
    None,
    Bounds { lower: Option<TExpr>, upper: Option<TExpr> },
    OffsetMultiplier { offset: Option<TExpr>, multiplier: Option<TExpr> },
}

impl TConstraint {
    pub fn is_none(&self) -> bool {
        matches!(self, TConstraint::None)
    }
}

/// The constrained vector types, each a vector with its own transform.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VectorConstraint {
    Simplex,
    Ordered,
    PositiveOrdered,
    SumToZero,
    UnitVector,
}

impl VectorConstraint {
    /// Stan's name of the type.
    pub fn type_name(self) -> &'static str {
        match self {
            VectorConstraint::Simplex => "simplex",
            VectorConstraint::Ordered => "ordered",
            VectorConstraint::PositiveOrdered => "positive_ordered",
            VectorConstraint::SumToZero => "sum_to_zero_vector",
            VectorConstraint::UnitVector => "unit_vector",
        }
    }

    /// The runtime transform's name.
    pub fn transform(self) -> &'static str {
        match self {
            VectorConstraint::SumToZero => "sum_to_zero",
            other => other.type_name(),
        }
    }
}

/// The constrained matrix types, each a matrix with its own transform.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MatrixConstraint {
    CholeskyFactorCorr,
    CholeskyFactorCov,
    CorrMatrix,
    CovMatrix,
}

impl MatrixConstraint {
    /// Stan's name of the type, which is also the runtime transform's name.
    pub fn type_name(self) -> &'static str {
        match self {
            MatrixConstraint::CholeskyFactorCorr => "cholesky_factor_corr",
            MatrixConstraint::CholeskyFactorCov => "cholesky_factor_cov",
            MatrixConstraint::CorrMatrix => "corr_matrix",
            MatrixConstraint::CovMatrix => "cov_matrix",
        }
    }
}

pub struct TDecl {
    pub var: VarId,
    pub vector_constraint: Option<VectorConstraint>,
    pub matrix_constraint: Option<MatrixConstraint>,
    pub sizes: Sizes,
    pub constraint: TConstraint,
    pub init: Option<TExpr>,
    /// The declaration as written, for run-time messages about its sizes or initial value.
    pub place: crate::syntax::Place,
}

pub enum TPrintArg {
    Str(LitStr),
    Expr(TExpr),
}

/// A distribution or log-density function as the runtime names it.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct DistCall {
    /// Stan's family name, `normal`.
    pub family: String,
    /// `lpdf` or `lpmf`.
    pub suffix: &'static str,
}

/// `T[L, U]` after a `~` statement, either bound possibly absent. Checking guarantees a
/// scalar outcome and parameters and a family whose `_lcdf` and `_lccdf` exist.
pub struct TTruncation {
    pub lower: Option<TExpr>,
    pub upper: Option<TExpr>,
}

pub enum TStmt {
    Decl(TDecl),
    Assign {
        target: TLValue,
        op: crate::syntax::AssignOp,
        value: TExpr,
        place: crate::syntax::Place,
    },
    Tilde {
        lhs: TExpr,
        dist: DistCall,
        args: Vec<TExpr>,
        truncation: Option<TTruncation>,
        place: crate::syntax::Place,
    },
    TargetPlus(TExpr, crate::syntax::Place),
    For {
        var: VarId,
        lower: TExpr,
        upper: TExpr,
        body: Vec<TStmt>,
    },
    ForEach {
        var: VarId,
        container: TExpr,
        body: Vec<TStmt>,
    },
    While {
        cond: TExpr,
        body: Vec<TStmt>,
    },
    If {
        cond: TExpr,
        then: Vec<TStmt>,
        otherwise: Vec<TStmt>,
    },
    Block(Vec<TStmt>),
    Break,
    Continue,
    Print(Vec<TPrintArg>),
    Reject(Vec<TPrintArg>, crate::syntax::Place),
    FatalError(Vec<TPrintArg>, crate::syntax::Place),
    Return(Option<TExpr>),
    /// A call of a `void` function, as a statement.
    Call(TExpr, crate::syntax::Place),
}

/// An assignable place: a variable, optionally indexed by single indices, optionally followed
/// by a part of the one-level container (or matrix) those indices selected.
pub struct TLValue {
    pub var: VarId,
    pub indices: Vec<TExpr>,
    pub part: Option<TPart>,
    /// The type of the place after indexing: for a part, the one-level container type.
    pub ty: Ty,
}

/// A part of a container that an assignment writes.
pub enum TPart {
    /// `x[a:b]`, either bound possibly absent, of a one-level container.
    Range(Option<TExpr>, Option<TExpr>),
    /// `x[idx]` with `idx` an `array[] int`, of a one-level container.
    Multi(TExpr),
    /// Rows, and columns or one column, of a two-level variable: `m[2:3]`, `m[idx, j]`,
    /// `av[:, 1:2]`. One column is a one-level part; anything else is two-level.
    Pick { rows: Box<PickIndex>, cols: Option<Box<PickIndex>> },
}

impl TPart {
    /// What the part is called in messages.
    pub fn describe(&self) -> &'static str {
        match self {
            TPart::Range(..) => "range",
            TPart::Multi(_) => "multi-index",
            TPart::Pick { .. } => "part",
        }
    }
}

#[derive(Clone)]
pub struct TExpr {
    pub kind: TExprKind,
    pub ty: Ty,
    pub ad: bool,
    pub span: Span,
}

/// Functions of one real argument that apply elementwise to containers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Elementwise {
    /// A method of the runtime's `Scalar` trait.
    Method(&'static str),
    /// A function in the runtime's `math` module.
    Math(&'static str),
}

/// Functions that reduce a container (or several of equal length) to a real.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reduction {
    Sum,
    Prod,
    Mean,
    Sd,
    Variance,
    LogSumExp,
    DotProduct,
    DotSelf,
    Max,
    Min,
}

#[derive(Clone)]
pub enum TExprKind {
    Int(i64),
    Real(f64),
    Var(VarId),
    Unary(UnOp, Box<TExpr>),
    Binary(BinOp, Box<TExpr>, Box<TExpr>),
    Ternary(Box<TExpr>, Box<TExpr>, Box<TExpr>),
    Elementwise(Elementwise, Box<TExpr>),
    Reduce(Reduction, Vec<TExpr>),
    /// A log density or mass function called directly; `propto` for `_lupdf`/`_lupmf`.
    Density {
        dist: DistCall,
        propto: bool,
        args: Vec<TExpr>,
    },
    /// `normal_lcdf(y | mu, sigma)` and its `_cdf` and `_lccdf` siblings.
    Cdf {
        family: String,
        which: &'static str,
        args: Vec<TExpr>,
    },
    /// A random number generator, `normal_rng(mu, sigma)`.
    Rng {
        family: String,
        args: Vec<TExpr>,
    },
    /// A real function of scalars in the runtime's `math` module: `fmax(a, b)`, `log_mix(..)`.
    ScalarFn(&'static str, Vec<TExpr>),
    /// An int function of ints or of one `array[] int`, in the runtime's `ops` module:
    /// `max(a, b)`, `abs(a)`, `sum(xs)`; overflow is an error.
    IntFn(&'static str, Vec<TExpr>),
    /// `transpose(v)`: the same elements, the other orientation (a matrix is transposed).
    Transpose(Box<TExpr>),
    /// A function of the runtime's `math::matrix` module, by its runtime name; it writes a
    /// matrix or vector result into a buffer, or returns a real.
    MatrixFn(&'static str, Vec<TExpr>),
    /// A size query: `size`, `num_elements`, `rows`, `cols`.
    Size(&'static str, Box<TExpr>),
    /// A constant function: `pi()`, `e()`, `not_a_number()`, ...
    Constant(f64),
    /// `rep_vector(x, n)`, `rep_row_vector`, `rep_array(x, n)`.
    Rep(Box<TExpr>, Box<TExpr>),
    /// `x[a:b]` (either bound may be absent) of a one-level container.
    Slice {
        base: Box<TExpr>,
        lower: Option<Box<TExpr>>,
        upper: Option<Box<TExpr>>,
    },
    /// `x[idx]` with `idx` an `array[] int`, of a one-level container.
    MultiIndex {
        base: Box<TExpr>,
        index: Box<TExpr>,
    },
    /// Single indices applied to a variable-like container.
    Index(Box<TExpr>, Vec<TExpr>),
    /// Rows, and columns or one column, picked out of a two-level variable: `m[2:3]`,
    /// `m[idx, j]`, `a[:, 1:2]`. One column gives a one-level value.
    Pick {
        base: Box<TExpr>,
        rows: Box<PickIndex>,
        cols: Option<Box<PickIndex>>,
    },
    /// A call of a user-defined function.
    UserCall {
        name: Ident,
        args: Vec<TExpr>,
    },
    /// `{a, b, c}`.
    ArrayLit(Vec<TExpr>),
    /// An ODE solver, `ode_rk45(f, y0, t0, ts, ...)`; only ever the whole value of an
    /// assignment.
    Ode(Box<OdeCall>),
    /// `[a, b, c]`.
    RowVectorLit(Vec<TExpr>),
}

/// One index of a [`TExprKind::Pick`].
#[derive(Clone)]
pub enum PickIndex {
    All,
    Range(Option<TExpr>, Option<TExpr>),
    /// An `array[] int` of indices.
    Multi(TExpr),
    Single(TExpr),
}

impl PickIndex {
    fn for_each_var(&self, f: &mut dyn FnMut(VarId)) {
        match self {
            PickIndex::All => {}
            PickIndex::Range(lo, hi) => {
                for e in lo.iter().chain(hi) {
                    e.for_each_var(f);
                }
            }
            PickIndex::Multi(e) | PickIndex::Single(e) => e.for_each_var(f),
        }
    }
}

/// A call of one of Stan's ODE solvers.
#[derive(Clone)]
pub struct OdeCall {
    /// The name the user called, `ode_rk45_tol`, for messages.
    pub stan_name: String,
    /// The runtime function: `ode_rk45` or `ode_bdf`.
    pub solver: &'static str,
    /// The user-defined function giving `dy/dt`.
    pub function: Ident,
    pub initial_state: TExpr,
    pub initial_time: TExpr,
    pub times: TExpr,
    /// Relative tolerance, absolute tolerance and maximum number of steps, for the `_tol`
    /// variants.
    pub control: Option<[TExpr; 3]>,
    /// The arguments passed on to the function after the time and the state.
    pub args: Vec<TExpr>,
}

impl TExpr {
    /// Calls `f` with every variable that the expression reads.
    pub fn for_each_var(&self, f: &mut dyn FnMut(VarId)) {
        let all = |xs: &[TExpr], f: &mut dyn FnMut(VarId)| {
            for x in xs {
                x.for_each_var(f);
            }
        };
        match &self.kind {
            TExprKind::Var(v) => f(*v),
            TExprKind::Int(_) | TExprKind::Real(_) | TExprKind::Constant(_) => {}
            TExprKind::Unary(_, a)
            | TExprKind::Elementwise(_, a)
            | TExprKind::Size(_, a)
            | TExprKind::Transpose(a) => a.for_each_var(f),
            TExprKind::Binary(_, a, b) | TExprKind::Rep(a, b) => {
                a.for_each_var(f);
                b.for_each_var(f);
            }
            TExprKind::Ternary(a, b, c) => {
                a.for_each_var(f);
                b.for_each_var(f);
                c.for_each_var(f);
            }
            TExprKind::Index(b, idx) => {
                b.for_each_var(f);
                all(idx, f);
            }
            TExprKind::Slice { base, lower, upper } => {
                base.for_each_var(f);
                for e in lower.iter().chain(upper) {
                    e.for_each_var(f);
                }
            }
            TExprKind::MultiIndex { base, index } => {
                base.for_each_var(f);
                index.for_each_var(f);
            }
            TExprKind::Pick { base, rows, cols } => {
                base.for_each_var(f);
                rows.for_each_var(f);
                if let Some(c) = cols {
                    c.for_each_var(f);
                }
            }
            TExprKind::Reduce(_, xs)
            | TExprKind::ScalarFn(_, xs)
            | TExprKind::IntFn(_, xs)
            | TExprKind::MatrixFn(_, xs)
            | TExprKind::UserCall { args: xs, .. }
            | TExprKind::ArrayLit(xs)
            | TExprKind::RowVectorLit(xs)
            | TExprKind::Density { args: xs, .. }
            | TExprKind::Cdf { args: xs, .. }
            | TExprKind::Rng { args: xs, .. } => all(xs, f),
            TExprKind::Ode(call) => {
                let OdeCall { initial_state, initial_time, times, control, args, .. } = &**call;
                all(args, f);
                for e in [initial_state, initial_time, times] {
                    e.for_each_var(f);
                }
                if let Some(c) = control {
                    all(c, f);
                }
            }
        }
    }
}

pub struct Program {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub vars: Vec<VarInfo>,
    pub functions: Vec<TFunction>,
    pub data: Vec<TDecl>,
    pub transformed_data: Vec<TStmt>,
    pub parameters: Vec<TDecl>,
    pub transformed_parameters: Vec<TStmt>,
    pub model: Vec<TStmt>,
    pub generated: Vec<TStmt>,
}

impl Program {
    /// The top-level declarations of a statement block, in order.
    pub fn block_decls(stmts: &[TStmt]) -> impl Iterator<Item = &TDecl> {
        stmts.iter().filter_map(|s| match s {
            TStmt::Decl(d) => Some(d),
            _ => None,
        })
    }
}
