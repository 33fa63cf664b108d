//! Parsing: Rust tokens to Tilde's syntax tree.
//!
//! Contract: the parser accepts Stan's grammar as far as Rust's tokenizer lets it through, and
//! keeps a span on every node so that later phases can point at the user's token. It knows
//! nothing about types or scopes. A parse error ends parsing (syn's parse streams cannot
//! resume), so it is the only error reported for that invocation.

use proc_macro2::{Delimiter, Span, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitFloat, LitInt, LitStr, Result, Token, Visibility};

/// The whole `model!` input.
pub struct Program {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub blocks: Vec<Block>,
}

/// The blocks of a Stan program, in the order Stan requires them.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum BlockKind {
    Functions,
    Data,
    TransformedData,
    Parameters,
    TransformedParameters,
    Model,
    GeneratedQuantities,
}

impl BlockKind {
    pub fn title(self) -> &'static str {
        match self {
            BlockKind::Functions => "functions",
            BlockKind::Data => "data",
            BlockKind::TransformedData => "transformed data",
            BlockKind::Parameters => "parameters",
            BlockKind::TransformedParameters => "transformed parameters",
            BlockKind::Model => "model",
            BlockKind::GeneratedQuantities => "generated quantities",
        }
    }
}

pub struct Block {
    pub kind: BlockKind,
    pub span: Span,
    pub stmts: Vec<Stmt>,
    pub functions: Vec<FunDef>,
}

/// A user-defined function in the `functions` block.
// Parsed in full so that the checker can point at it; compiling functions is a later step.
#[allow(dead_code)]
pub struct FunDef {
    pub ret: Option<FunType>,
    pub name: Ident,
    pub params: Vec<(FunType, Ident)>,
    /// `None` for a forward declaration.
    pub body: Option<Vec<Stmt>>,
}

/// An unsized type in a function signature: `data real`, `vector`, `array[,] int`.
#[derive(Clone)]
#[allow(dead_code)]
pub struct FunType {
    pub data_only: bool,
    pub base: BaseType,
    pub span: Span,
    pub array_dims: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BaseType {
    Int,
    Real,
    Complex,
    Vector,
    RowVector,
    Matrix,
    Simplex,
    UnitVector,
    SumToZeroVector,
    Ordered,
    PositiveOrdered,
    CholeskyFactorCorr,
    CholeskyFactorCov,
    CorrMatrix,
    CovMatrix,
}

impl BaseType {
    fn from_ident(s: &str) -> Option<BaseType> {
        Some(match s {
            "int" => BaseType::Int,
            "real" => BaseType::Real,
            "complex" => BaseType::Complex,
            "vector" => BaseType::Vector,
            "row_vector" => BaseType::RowVector,
            "matrix" => BaseType::Matrix,
            "simplex" => BaseType::Simplex,
            "unit_vector" => BaseType::UnitVector,
            "sum_to_zero_vector" => BaseType::SumToZeroVector,
            "ordered" => BaseType::Ordered,
            "positive_ordered" => BaseType::PositiveOrdered,
            "cholesky_factor_corr" => BaseType::CholeskyFactorCorr,
            "cholesky_factor_cov" => BaseType::CholeskyFactorCov,
            "corr_matrix" => BaseType::CorrMatrix,
            "cov_matrix" => BaseType::CovMatrix,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            BaseType::Int => "int",
            BaseType::Real => "real",
            BaseType::Complex => "complex",
            BaseType::Vector => "vector",
            BaseType::RowVector => "row_vector",
            BaseType::Matrix => "matrix",
            BaseType::Simplex => "simplex",
            BaseType::UnitVector => "unit_vector",
            BaseType::SumToZeroVector => "sum_to_zero_vector",
            BaseType::Ordered => "ordered",
            BaseType::PositiveOrdered => "positive_ordered",
            BaseType::CholeskyFactorCorr => "cholesky_factor_corr",
            BaseType::CholeskyFactorCov => "cholesky_factor_cov",
            BaseType::CorrMatrix => "corr_matrix",
            BaseType::CovMatrix => "cov_matrix",
        }
    }

    /// How many size expressions follow the type name: `vector[N]` has one.
    fn size_count(self) -> usize {
        match self {
            BaseType::Int | BaseType::Real | BaseType::Complex => 0,
            BaseType::Matrix => 2,
            _ => 1,
        }
    }
}

/// A declared type: `array[J] real<lower=0>`, `vector<offset=mu>[N]`.
pub struct TypeDecl {
    pub base: BaseType,
    pub span: Span,
    pub array_dims: Vec<Expr>,
    pub sizes: Vec<Expr>,
    /// The array sizes and then the sizes as written, for run-time messages about a bad size.
    pub size_texts: Vec<String>,
    pub constraint: Constraint,
}

pub enum Constraint {
    None,
    Bounds { lower: Option<Expr>, upper: Option<Expr> },
    OffsetMultiplier { offset: Option<Expr>, multiplier: Option<Expr> },
}

pub struct Decl {
    pub ty: TypeDecl,
    pub name: Ident,
    pub init: Option<Expr>,
    pub place: Place,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
    EltMul,
    EltDiv,
}

pub enum PrintArg {
    Str(LitStr),
    Expr(Expr),
}

/// Where a statement stands in the user's source, for run-time messages that name it (a failed
/// initialisation says which `~` statement failed, an index out of range which assignment).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Place {
    /// The statement as written, without its `;`, re-spaced from its tokens.
    pub text: String,
    /// The 1-based line in the file holding `model!`, or 0 where the compiler does not say.
    pub line: usize,
}

pub enum Stmt {
    Decl(Decl),
    Assign { target: Expr, op: AssignOp, op_span: Span, value: Expr, place: Place },
    Tilde { lhs: Expr, dist: Ident, args: Vec<Expr>, truncation: Option<Truncation>, place: Place },
    TargetPlus { span: Span, value: Expr, place: Place },
    For { var: Ident, lower: Expr, upper: Expr, body: Box<Stmt> },
    ForEach { var: Ident, container: Expr, body: Box<Stmt> },
    While { cond: Expr, body: Box<Stmt> },
    If { cond: Expr, then: Box<Stmt>, otherwise: Option<Box<Stmt>> },
    Block(Vec<Stmt>),
    Break(Span),
    Continue(Span),
    Print(Span, Vec<PrintArg>),
    Reject(Span, Vec<PrintArg>, Place),
    FatalError(Span, Vec<PrintArg>, Place),
    Return(Span, #[allow(dead_code)] Option<Expr>),
    Call(Expr, Place),
    Empty,
}

pub struct Truncation {
    pub span: Span,
    pub lower: Option<Expr>,
    pub upper: Option<Expr>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum BinOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    IntDiv,
    EltMul,
    EltDiv,
    Pow,
    EltPow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "||",
            BinOp::And => "&&",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::IntDiv => "%/%",
            BinOp::EltMul => ".*",
            BinOp::EltDiv => "./",
            BinOp::Pow => "^",
            BinOp::EltPow => ".^",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UnOp {
    Neg,
    Not,
    Plus,
}

pub enum Index {
    Single(Expr),
    All,
    Range(Option<Expr>, Option<Expr>),
}

pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

pub enum ExprKind {
    Int(i64),
    Real(f64),
    Var(Ident),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Ternary(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `f(a, b)`, or `f(a | b, c)` when `conditional` is true.
    Call {
        name: Ident,
        args: Vec<Expr>,
        conditional: bool,
    },
    Index(Box<Expr>, Vec<Index>),
    Paren(Box<Expr>),
    /// `{a, b, c}`.
    ArrayLit(Vec<Expr>),
    /// `[a, b, c]`.
    RowVectorLit(Vec<Expr>),
}

impl Parse for Program {
    fn parse(input: ParseStream) -> Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        input.parse::<Token![struct]>()?;
        let name: Ident = input.parse()?;
        semicolon(input)?;
        let mut blocks: Vec<Block> = Vec::new();
        while !input.is_empty() {
            let block = parse_block(input)?;
            if let Some(prev) = blocks.last()
                && prev.kind >= block.kind
            {
                let msg = if prev.kind == block.kind {
                    format!("the `{}` block appears twice", block.kind.title())
                } else {
                    format!(
                        "the `{}` block must come before the `{}` block",
                        block.kind.title(),
                        prev.kind.title()
                    )
                };
                return Err(syn::Error::new(block.span, msg));
            }
            blocks.push(block);
        }
        Ok(Program { attrs, vis, name, blocks })
    }
}

const BLOCK_NAMES: &str = "`functions`, `data`, `transformed data`, `parameters`, \
                           `transformed parameters`, `model` or `generated quantities`";

fn parse_block(input: ParseStream) -> Result<Block> {
    let first =
        Ident::parse_any(input).map_err(|_| expected(input, &format!("a block: {BLOCK_NAMES}")))?;
    let span = first.span();
    let kind = match first.to_string().as_str() {
        "functions" => BlockKind::Functions,
        "data" => BlockKind::Data,
        "parameters" => BlockKind::Parameters,
        "model" => BlockKind::Model,
        "transformed" => {
            let second = Ident::parse_any(input)?;
            match second.to_string().as_str() {
                "data" => BlockKind::TransformedData,
                "parameters" => BlockKind::TransformedParameters,
                other => {
                    return Err(syn::Error::new(
                        second.span(),
                        format!(
                            "expected `data` or `parameters` after `transformed`, found `{other}`"
                        ),
                    ));
                }
            }
        }
        "generated" => {
            let second = Ident::parse_any(input)?;
            if second != "quantities" {
                return Err(syn::Error::new(
                    second.span(),
                    format!("expected `quantities` after `generated`, found `{second}`"),
                ));
            }
            BlockKind::GeneratedQuantities
        }
        other => {
            return Err(syn::Error::new(
                span,
                format!("expected a block ({BLOCK_NAMES}), found `{other}`"),
            ));
        }
    };
    let content;
    syn::braced!(content in input);
    let mut stmts = Vec::new();
    let mut functions = Vec::new();
    while !content.is_empty() {
        if kind == BlockKind::Functions {
            functions.push(parse_fundef(&content)?);
        } else {
            stmts.push(parse_stmt(&content)?);
        }
    }
    Ok(Block { kind, span, stmts, functions })
}

fn parse_fun_type(input: ParseStream) -> Result<FunType> {
    let mut data_only = false;
    let mut array_dims = 0;
    let mut ident = Ident::parse_any(input)?;
    if ident == "data" {
        data_only = true;
        ident = Ident::parse_any(input)?;
    }
    if ident == "array" {
        let content;
        syn::bracketed!(content in input);
        array_dims = 1;
        while !content.is_empty() {
            content.parse::<Token![,]>()?;
            array_dims += 1;
        }
        ident = Ident::parse_any(input)?;
    }
    let name = ident.to_string();
    let base = match BaseType::from_ident(&name) {
        Some(b @ (BaseType::Int | BaseType::Real | BaseType::Complex)) => b,
        Some(b @ (BaseType::Vector | BaseType::RowVector | BaseType::Matrix)) => b,
        _ => {
            return Err(syn::Error::new(
                ident.span(),
                format!(
                    "expected an argument type (`int`, `real`, `vector`, `row_vector`, \
                     `matrix`, optionally in `array[]`), found `{name}`"
                ),
            ));
        }
    };
    Ok(FunType { data_only, base, span: ident.span(), array_dims })
}

fn parse_fundef(input: ParseStream) -> Result<FunDef> {
    let ret = if input.peek(Ident::peek_any) && input.fork().call(Ident::parse_any)? == "void" {
        Ident::parse_any(input)?;
        None
    } else {
        Some(parse_fun_type(input)?)
    };
    let name = Ident::parse_any(input)?;
    let content;
    syn::parenthesized!(content in input);
    let mut params = Vec::new();
    while !content.is_empty() {
        let ty = parse_fun_type(&content)?;
        let pname = Ident::parse_any(&content)?;
        params.push((ty, pname));
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    let body = if input.peek(Token![;]) {
        semicolon(input)?;
        None
    } else {
        let content;
        syn::braced!(content in input);
        let mut stmts = Vec::new();
        while !content.is_empty() {
            stmts.push(parse_stmt(&content)?);
        }
        Some(stmts)
    };
    Ok(FunDef { ret, name, params, body })
}

/// Whether the next tokens start a declaration: a type name followed by something that is not
/// an operator or call.
fn starts_decl(input: ParseStream) -> bool {
    let fork = input.fork();
    let Ok(ident) = fork.call(Ident::parse_any) else {
        return false;
    };
    let name = ident.to_string();
    if name == "array" {
        return fork.peek(syn::token::Bracket);
    }
    if BaseType::from_ident(&name).is_none() {
        return false;
    }
    // `real x`, `real<lower=0> x`, `vector[N] x`; but not `int(...)`-like expressions.
    fork.peek(Ident::peek_any) || fork.peek(Token![<]) || fork.peek(syn::token::Bracket)
}

fn parse_type_decl(input: ParseStream) -> Result<TypeDecl> {
    let mut ident = Ident::parse_any(input)?;
    let mut array_dims = Vec::new();
    let mut size_texts = Vec::new();
    if ident == "array" {
        let content;
        syn::bracketed!(content in input);
        (array_dims, size_texts) = parse_comma_exprs_with_text(&content)?;
        ident = Ident::parse_any(input)?;
    }
    let name = ident.to_string();
    let Some(base) = BaseType::from_ident(&name) else {
        return Err(syn::Error::new(ident.span(), format!("expected a type, found `{name}`")));
    };
    let constraint = if input.peek(Token![<]) && !input.peek(Token![<=]) {
        parse_constraint(input)?
    } else {
        Constraint::None
    };
    let mut sizes = Vec::new();
    let wanted = base.size_count();
    if wanted > 0 {
        if !input.peek(syn::token::Bracket) {
            return Err(syn::Error::new(
                ident.span(),
                format!("`{name}` needs its size in brackets, as in `{name}[N]`"),
            ));
        }
        let content;
        let bracket = syn::bracketed!(content in input);
        let texts;
        (sizes, texts) = parse_comma_exprs_with_text(&content)?;
        size_texts.extend(texts);
        let ok = sizes.len() == wanted
            || (matches!(base, BaseType::CholeskyFactorCov) && (1..=2).contains(&sizes.len()));
        if !ok {
            return Err(syn::Error::new(
                bracket.span.join(),
                format!("`{name}` takes {wanted} size(s), found {}", sizes.len()),
            ));
        }
    }
    Ok(TypeDecl { base, span: ident.span(), array_dims, sizes, size_texts, constraint })
}

fn parse_constraint(input: ParseStream) -> Result<Constraint> {
    input.parse::<Token![<]>()?;
    let mut lower = None;
    let mut upper = None;
    let mut offset = None;
    let mut multiplier = None;
    loop {
        let key = Ident::parse_any(input)?;
        input.parse::<Token![=]>()?;
        // A bound is parsed above the comparison operators, so that `>` closes the list.
        let value = parse_binary(input, Prec::Additive)?;
        let slot = match key.to_string().as_str() {
            "lower" => &mut lower,
            "upper" => &mut upper,
            "offset" => &mut offset,
            "multiplier" => &mut multiplier,
            other => {
                return Err(syn::Error::new(
                    key.span(),
                    format!("expected `lower`, `upper`, `offset` or `multiplier`, found `{other}`"),
                ));
            }
        };
        if slot.is_some() {
            return Err(syn::Error::new(key.span(), format!("`{key}` is given twice")));
        }
        *slot = Some(value);
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
            continue;
        }
        input.parse::<Token![>]>()?;
        break;
    }
    let bounds = lower.is_some() || upper.is_some();
    let affine = offset.is_some() || multiplier.is_some();
    if bounds && affine {
        return Err(input.error("bounds cannot be combined with `offset`/`multiplier`"));
    }
    Ok(if affine {
        Constraint::OffsetMultiplier { offset, multiplier }
    } else {
        Constraint::Bounds { lower, upper }
    })
}

fn parse_comma_exprs(input: ParseStream) -> Result<Vec<Expr>> {
    parse_comma_exprs_with_text(input).map(|(exprs, _)| exprs)
}

/// Comma-separated expressions, each with its text as written.
fn parse_comma_exprs_with_text(input: ParseStream) -> Result<(Vec<Expr>, Vec<String>)> {
    let (mut exprs, mut texts) = (Vec::new(), Vec::new());
    while !input.is_empty() {
        let begin = input.fork();
        exprs.push(parse_expr(input)?);
        texts.push(place_between(&begin, input).text);
        if input.is_empty() {
            break;
        }
        input.parse::<Token![,]>()?;
    }
    Ok((exprs, texts))
}

fn peek_keyword(input: ParseStream, word: &str) -> bool {
    input.fork().call(Ident::parse_any).is_ok_and(|i| i == word)
}

fn parse_body(input: ParseStream) -> Result<Box<Stmt>> {
    Ok(Box::new(parse_stmt(input)?))
}

fn parse_print_args(input: ParseStream) -> Result<Vec<PrintArg>> {
    let content;
    let paren = syn::parenthesized!(content in input);
    if content.is_empty() {
        return Err(syn::Error::new(
            paren.span.join(),
            "expected at least one string or expression",
        ));
    }
    let mut args = Vec::new();
    while !content.is_empty() {
        if content.peek(LitStr) {
            args.push(PrintArg::Str(content.parse()?));
        } else {
            args.push(PrintArg::Expr(parse_expr(&content)?));
        }
        if content.is_empty() {
            break;
        }
        content.parse::<Token![,]>()?;
    }
    semicolon(input)?;
    Ok(args)
}

/// The tokens from `begin` up to where `end` stands, rendered as the user would write them.
fn place_between(begin: ParseStream, end: ParseStream) -> Place {
    let line = begin.span().start().line;
    let mut tokens = Vec::new();
    let stop = end.cursor();
    let _ = begin.step(|cursor| {
        let mut c = *cursor;
        while c != stop {
            let Some((tt, next)) = c.token_tree() else { break };
            tokens.push(tt);
            c = next;
        }
        Ok(((), c))
    });
    if matches!(tokens.last(), Some(TokenTree::Punct(p)) if p.as_char() == ';') {
        tokens.pop();
    }
    Place { text: render_tokens(&tokens), line }
}

/// Stan-like spacing for rendered tokens: spaces around binary operators and `~`, after
/// commas, none before a call's or an index's brackets or after a unary minus.
pub fn render_tokens(tokens: &[TokenTree]) -> String {
    let mut out = String::new();
    // Whether the previous token ends an operand (so a following `-` is binary).
    let mut after_operand = false;
    let mut glue_next = true;
    // `?`s still waiting for their `:`, which is then spaced as an operator, not as a range.
    let mut open_ternaries = 0usize;
    let mut after_comma = false;
    for tt in tokens {
        let (text, operand, glue_before, glue_after) = match tt {
            TokenTree::Ident(i) => (i.to_string(), true, false, false),
            TokenTree::Literal(l) => (l.to_string(), true, false, false),
            TokenTree::Group(g) => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                let inner = render_tokens(&inner);
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                let call = after_operand && g.delimiter() != Delimiter::Brace;
                (format!("{open}{inner}{close}"), true, call, false)
            }
            TokenTree::Punct(p) => {
                let c = p.as_char();
                let joint = p.spacing() == proc_macro2::Spacing::Joint;
                match c {
                    ',' | ';' => (c.to_string(), false, true, false),
                    '\'' => (c.to_string(), true, true, false),
                    '?' => {
                        open_ternaries += 1;
                        (c.to_string(), false, false, false)
                    }
                    ':' if open_ternaries > 0 => {
                        open_ternaries -= 1;
                        (c.to_string(), false, false, false)
                    }
                    ':' => (c.to_string(), false, !after_comma, true),
                    '-' | '!' if !after_operand => (c.to_string(), false, false, true),
                    _ => (c.to_string(), false, false, joint),
                }
            }
        };
        if !out.is_empty() && !glue_before && !glue_next {
            out.push(' ');
        }
        out.push_str(&text);
        after_operand = operand;
        glue_next = glue_after;
        after_comma = matches!(tt, TokenTree::Punct(p) if p.as_char() == ',');
    }
    out
}

pub fn parse_stmt(input: ParseStream) -> Result<Stmt> {
    crate::deep(|| parse_stmt_here(input))
}

fn parse_stmt_here(input: ParseStream) -> Result<Stmt> {
    let begin = input.fork();
    if input.peek(Token![;]) {
        semicolon(input)?;
        return Ok(Stmt::Empty);
    }
    if input.peek(syn::token::Brace) {
        let content;
        syn::braced!(content in input);
        let mut stmts = Vec::new();
        while !content.is_empty() {
            stmts.push(parse_stmt(&content)?);
        }
        return Ok(Stmt::Block(stmts));
    }
    if starts_decl(input) {
        let ty = parse_type_decl(input)?;
        let name = Ident::parse_any(input)?;
        if input.peek(syn::token::Bracket) {
            let message = format!(
                "array sizes go before the type, as in `array[N] {} {name};` (the form \
                 `{} {name}[N]` was removed from Stan)",
                ty.base.name(),
                ty.base.name()
            );
            return Err(input.error(message));
        }
        let init = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(parse_expr(input)?)
        } else {
            None
        };
        semicolon(input)?;
        let place = place_between(&begin, input);
        return Ok(Stmt::Decl(Decl { ty, name, init, place }));
    }
    if input.peek(Ident::peek_any) {
        let fork = input.fork();
        let word = fork.call(Ident::parse_any)?;
        match word.to_string().as_str() {
            "for" => return parse_for(input),
            "while" => {
                Ident::parse_any(input)?;
                let content;
                syn::parenthesized!(content in input);
                let cond = parse_expr(&content)?;
                return Ok(Stmt::While { cond, body: parse_body(input)? });
            }
            "if" => {
                Ident::parse_any(input)?;
                let content;
                syn::parenthesized!(content in input);
                let cond = parse_expr(&content)?;
                let then = parse_body(input)?;
                let otherwise = if peek_keyword(input, "else") {
                    Ident::parse_any(input)?;
                    Some(parse_body(input)?)
                } else {
                    None
                };
                return Ok(Stmt::If { cond, then, otherwise });
            }
            "break" | "continue" => {
                Ident::parse_any(input)?;
                semicolon(input)?;
                return Ok(if word == "break" {
                    Stmt::Break(word.span())
                } else {
                    Stmt::Continue(word.span())
                });
            }
            "return" => {
                Ident::parse_any(input)?;
                let value = if input.peek(Token![;]) { None } else { Some(parse_expr(input)?) };
                semicolon(input)?;
                return Ok(Stmt::Return(word.span(), value));
            }
            "print" | "reject" | "fatal_error" if fork.peek(syn::token::Paren) => {
                Ident::parse_any(input)?;
                let args = parse_print_args(input)?;
                let place = place_between(&begin, input);
                return Ok(match word.to_string().as_str() {
                    "print" => Stmt::Print(word.span(), args),
                    "reject" => Stmt::Reject(word.span(), args, place),
                    _ => Stmt::FatalError(word.span(), args, place),
                });
            }
            "target" if fork.peek(Token![+=]) => {
                Ident::parse_any(input)?;
                input.parse::<Token![+=]>()?;
                let value = parse_expr(input)?;
                semicolon(input)?;
                let place = place_between(&begin, input);
                return Ok(Stmt::TargetPlus { span: word.span(), value, place });
            }
            "profile" if fork.peek(syn::token::Paren) => return parse_profile(input),
            "tuple" if fork.peek(syn::token::Paren) => {
                return Err(syn::Error::new(word.span(), "tuples are not supported by Tilde yet"));
            }
            "column_stochastic_matrix" | "row_stochastic_matrix" | "sum_to_zero_matrix"
                if fork.peek(syn::token::Bracket) || fork.peek(Token![<]) =>
            {
                let message =
                    format!("the constrained type `{word}` is not supported by Tilde yet");
                return Err(syn::Error::new(word.span(), message));
            }
            "jacobian" if fork.peek(Token![+=]) => {
                let message = "`jacobian +=` is not supported by Tilde yet: add the log Jacobian \
                               with `target +=` in the model block";
                return Err(syn::Error::new(word.span(), message));
            }
            "complex_vector" | "complex_row_vector" | "complex_matrix" => {
                return Err(syn::Error::new(word.span(), NO_COMPLEX));
            }
            // Two names in a row start a declaration, so the first should have been a type.
            name if fork.peek(Ident::peek_any) && name != "array" => {
                let message = format!(
                    "unknown type `{name}`: expected `int`, `real`, `vector`, `row_vector`, \
                     `matrix`, `array[...]` or a constrained type"
                );
                return Err(syn::Error::new(word.span(), message));
            }
            _ => {}
        }
    }
    let lhs = parse_expr(input)?;
    if input.peek(Token![~]) {
        input.parse::<Token![~]>()?;
        let dist = Ident::parse_any(input)?;
        let content;
        syn::parenthesized!(content in input);
        let args = parse_comma_exprs(&content)?;
        let truncation = if peek_keyword(input, "T") && input.peek2(syn::token::Bracket) {
            let t = Ident::parse_any(input)?;
            let content;
            syn::bracketed!(content in input);
            let lower = if content.peek(Token![,]) { None } else { Some(parse_expr(&content)?) };
            content.parse::<Token![,]>()?;
            let upper = if content.is_empty() { None } else { Some(parse_expr(&content)?) };
            Some(Truncation { span: t.span(), lower, upper })
        } else {
            None
        };
        semicolon(input)?;
        let place = place_between(&begin, input);
        return Ok(Stmt::Tilde { lhs, dist, args, truncation, place });
    }
    if let Some((op, span)) = parse_assign_op(input)? {
        let value = parse_expr(input)?;
        semicolon(input)?;
        let place = place_between(&begin, input);
        return Ok(Stmt::Assign { target: lhs, op, op_span: span, value, place });
    }
    if input.peek(Token![;]) {
        semicolon(input)?;
        return Ok(Stmt::Call(lhs, place_between(&begin, input)));
    }
    Err(input.error("expected `=`, `~`, a compound assignment or `;` after this expression"))
}

/// The error for Stan's complex types, which the parser and the checker both meet.
pub const NO_COMPLEX: &str = "complex numbers are not supported by Tilde yet";

/// `profile("name") { ... }`: Stan times the statements inside; here they are a nested block.
fn parse_profile(input: ParseStream) -> Result<Stmt> {
    Ident::parse_any(input)?;
    let content;
    syn::parenthesized!(content in input);
    content.parse::<syn::LitStr>()?;
    if !content.is_empty() {
        return Err(content.error("`profile` takes one string, the name of the profile"));
    }
    if !input.peek(syn::token::Brace) {
        return Err(input.error("expected `{` and the statements to profile"));
    }
    // A statement that starts with `{` is a nested block.
    parse_stmt(input)
}

fn parse_assign_op(input: ParseStream) -> Result<Option<(AssignOp, Span)>> {
    let span = input.span();
    let op = if input.peek(Token![.]) && input.peek2(Token![*=]) {
        input.parse::<Token![.]>()?;
        input.parse::<Token![*=]>()?;
        AssignOp::EltMul
    } else if input.peek(Token![.]) && input.peek2(Token![/=]) {
        input.parse::<Token![.]>()?;
        input.parse::<Token![/=]>()?;
        AssignOp::EltDiv
    } else if input.peek(Token![+=]) {
        input.parse::<Token![+=]>()?;
        AssignOp::Add
    } else if input.peek(Token![-=]) {
        input.parse::<Token![-=]>()?;
        AssignOp::Sub
    } else if input.peek(Token![*=]) {
        input.parse::<Token![*=]>()?;
        AssignOp::Mul
    } else if input.peek(Token![/=]) {
        input.parse::<Token![/=]>()?;
        AssignOp::Div
    } else if input.peek(Token![=]) && !input.peek(Token![==]) {
        input.parse::<Token![=]>()?;
        AssignOp::Set
    } else {
        return Ok(None);
    };
    Ok(Some((op, span)))
}

fn parse_for(input: ParseStream) -> Result<Stmt> {
    Ident::parse_any(input)?;
    let content;
    syn::parenthesized!(content in input);
    let var = Ident::parse_any(&content)?;
    let kw = Ident::parse_any(&content)?;
    if kw != "in" {
        return Err(syn::Error::new(kw.span(), format!("expected `in`, found `{kw}`")));
    }
    let first = parse_expr(&content)?;
    if content.peek(Token![:]) {
        content.parse::<Token![:]>()?;
        let upper = parse_expr(&content)?;
        if !content.is_empty() {
            return Err(content.error("expected `)` after the loop range"));
        }
        return Ok(Stmt::For { var, lower: first, upper, body: parse_body(input)? });
    }
    if !content.is_empty() {
        return Err(content.error("expected `:` or `)` in the loop header"));
    }
    Ok(Stmt::ForEach { var, container: first, body: parse_body(input)? })
}

/// Binding strength, lowest first, following the operator table of the Stan reference manual.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Or,
    And,
    Equality,
    Comparison,
    Additive,
    Multiplicative,
    Elementwise,
}

impl Prec {
    fn next(self) -> Option<Prec> {
        Some(match self {
            Prec::Or => Prec::And,
            Prec::And => Prec::Equality,
            Prec::Equality => Prec::Comparison,
            Prec::Comparison => Prec::Additive,
            Prec::Additive => Prec::Multiplicative,
            Prec::Multiplicative => Prec::Elementwise,
            Prec::Elementwise => return None,
        })
    }
}

pub fn parse_expr(input: ParseStream) -> Result<Expr> {
    let cond = parse_binary(input, Prec::Or)?;
    if input.peek(Token![?]) {
        let q: Token![?] = input.parse()?;
        let then = parse_expr(input)?;
        input.parse::<Token![:]>()?;
        let otherwise = parse_expr(input)?;
        return Ok(Expr {
            kind: ExprKind::Ternary(Box::new(cond), Box::new(then), Box::new(otherwise)),
            span: q.span,
        });
    }
    Ok(cond)
}

/// Peeks the binary operator at `prec`, returning it and how many tokens it spans.
fn peek_binop(input: ParseStream, prec: Prec) -> Option<(BinOp, usize)> {
    match prec {
        Prec::Or if input.peek(Token![||]) => Some((BinOp::Or, 2)),
        Prec::And if input.peek(Token![&&]) => Some((BinOp::And, 2)),
        Prec::Equality if input.peek(Token![==]) => Some((BinOp::Eq, 2)),
        Prec::Equality if input.peek(Token![!=]) => Some((BinOp::Ne, 2)),
        Prec::Comparison if input.peek(Token![<=]) => Some((BinOp::Le, 2)),
        Prec::Comparison if input.peek(Token![>=]) => Some((BinOp::Ge, 2)),
        Prec::Comparison if input.peek(Token![<]) => Some((BinOp::Lt, 1)),
        Prec::Comparison if input.peek(Token![>]) => Some((BinOp::Gt, 1)),
        Prec::Additive if input.peek(Token![+]) && !input.peek(Token![+=]) => Some((BinOp::Add, 1)),
        Prec::Additive if input.peek(Token![-]) && !input.peek(Token![-=]) => Some((BinOp::Sub, 1)),
        Prec::Multiplicative if input.peek(Token![*]) && !input.peek(Token![*=]) => {
            Some((BinOp::Mul, 1))
        }
        Prec::Multiplicative
            if input.peek(Token![%]) && input.peek2(Token![/]) && !input.peek(Token![%=]) =>
        {
            Some((BinOp::IntDiv, 3))
        }
        Prec::Multiplicative if input.peek(Token![/]) && !input.peek(Token![/=]) => {
            Some((BinOp::Div, 1))
        }
        Prec::Multiplicative if input.peek(Token![%]) && !input.peek(Token![%=]) => {
            Some((BinOp::Mod, 1))
        }
        Prec::Elementwise
            if input.peek(Token![.]) && input.peek2(Token![*]) && !input.peek2(Token![*=]) =>
        {
            Some((BinOp::EltMul, 2))
        }
        Prec::Elementwise
            if input.peek(Token![.]) && input.peek2(Token![/]) && !input.peek2(Token![/=]) =>
        {
            Some((BinOp::EltDiv, 2))
        }
        _ => None,
    }
}

fn skip_tokens(input: ParseStream, n: usize) -> Result<Span> {
    let span = input.span();
    for _ in 0..n {
        input.step(|cursor| match cursor.token_tree() {
            Some((_, rest)) => Ok(((), rest)),
            None => Err(cursor.error("unexpected end of input")),
        })?;
    }
    Ok(span)
}

fn parse_binary(input: ParseStream, prec: Prec) -> Result<Expr> {
    let next = |input: ParseStream| match prec.next() {
        Some(p) => parse_binary(input, p),
        None => parse_unary(input),
    };
    let mut lhs = next(input)?;
    while let Some((op, ntokens)) = peek_binop(input, prec) {
        let span = skip_tokens(input, ntokens)?;
        let rhs = next(input)?;
        lhs = Expr { kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span };
    }
    Ok(lhs)
}

fn parse_unary(input: ParseStream) -> Result<Expr> {
    let op = if input.peek(Token![-]) {
        Some(UnOp::Neg)
    } else if input.peek(Token![!]) {
        Some(UnOp::Not)
    } else if input.peek(Token![+]) {
        Some(UnOp::Plus)
    } else {
        None
    };
    if let Some(op) = op {
        let span = skip_tokens(input, 1)?;
        let operand = parse_unary(input)?;
        return Ok(Expr { kind: ExprKind::Unary(op, Box::new(operand)), span });
    }
    parse_power(input)
}

/// `^` and `.^` bind tighter than unary minus and associate to the right; the exponent may
/// itself carry a sign (`2^-2`).
fn parse_power(input: ParseStream) -> Result<Expr> {
    let base = parse_postfix(input)?;
    let op = if input.peek(Token![^]) {
        Some((BinOp::Pow, 1))
    } else if input.peek(Token![.]) && input.peek2(Token![^]) {
        Some((BinOp::EltPow, 2))
    } else {
        None
    };
    if let Some((op, n)) = op {
        let span = skip_tokens(input, n)?;
        let exponent = parse_unary(input)?;
        return Ok(Expr { kind: ExprKind::Binary(op, Box::new(base), Box::new(exponent)), span });
    }
    Ok(base)
}

fn parse_postfix(input: ParseStream) -> Result<Expr> {
    let mut expr = parse_primary(input)?;
    while input.peek(syn::token::Bracket) {
        let content;
        let bracket = syn::bracketed!(content in input);
        let mut indices = Vec::new();
        loop {
            indices.push(parse_index(&content)?);
            if content.is_empty() {
                break;
            }
            content.parse::<Token![,]>()?;
        }
        expr = Expr { kind: ExprKind::Index(Box::new(expr), indices), span: bracket.span.open() };
    }
    Ok(expr)
}

fn parse_index(input: ParseStream) -> Result<Index> {
    if input.is_empty() || input.peek(Token![,]) {
        return Err(input.error("expected an index"));
    }
    if input.peek(Token![:]) && !input.peek(Token![::]) {
        input.parse::<Token![:]>()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Ok(Index::All);
        }
        return Ok(Index::Range(None, Some(parse_expr_no_colon(input)?)));
    }
    let first = parse_expr_no_colon(input)?;
    if input.peek(Token![:]) {
        input.parse::<Token![:]>()?;
        if input.is_empty() || input.peek(Token![,]) {
            return Ok(Index::Range(Some(first), None));
        }
        return Ok(Index::Range(Some(first), Some(parse_expr_no_colon(input)?)));
    }
    Ok(Index::Single(first))
}

/// An expression inside brackets: a `:` there separates a range, so the ternary is not tried.
fn parse_expr_no_colon(input: ParseStream) -> Result<Expr> {
    parse_binary(input, Prec::Or)
}

fn parse_primary(input: ParseStream) -> Result<Expr> {
    crate::deep(|| parse_primary_here(input))
}

fn parse_primary_here(input: ParseStream) -> Result<Expr> {
    if input.peek(LitInt) {
        let lit: LitInt = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(lit.span(), "number literals take no type suffix"));
        }
        let value = lit.base10_parse::<i64>().map_err(|_| {
            syn::Error::new(lit.span(), "integer literal is too large for Stan's `int`")
        })?;
        return Ok(Expr { kind: ExprKind::Int(value), span: lit.span() });
    }
    if input.peek(LitFloat) {
        let lit: LitFloat = input.parse()?;
        if !lit.suffix().is_empty() {
            return Err(syn::Error::new(lit.span(), "number literals take no type suffix"));
        }
        let value = lit.base10_parse::<f64>()?;
        return Ok(Expr { kind: ExprKind::Real(value), span: lit.span() });
    }
    if input.peek(syn::token::Paren) {
        let content;
        let paren = syn::parenthesized!(content in input);
        let inner = parse_expr(&content)?;
        if !content.is_empty() {
            return Err(content.error("expected `)`"));
        }
        return Ok(Expr { kind: ExprKind::Paren(Box::new(inner)), span: paren.span.open() });
    }
    if input.peek(syn::token::Brace) {
        let content;
        let brace = syn::braced!(content in input);
        let items = parse_comma_exprs(&content)?;
        return Ok(Expr { kind: ExprKind::ArrayLit(items), span: brace.span.open() });
    }
    if input.peek(syn::token::Bracket) {
        let content;
        let bracket = syn::bracketed!(content in input);
        let items = parse_comma_exprs(&content)?;
        return Ok(Expr { kind: ExprKind::RowVectorLit(items), span: bracket.span.open() });
    }
    if input.peek(Ident::peek_any) {
        let name = Ident::parse_any(input)?;
        if input.peek(syn::token::Paren) {
            let content;
            syn::parenthesized!(content in input);
            let mut args = Vec::new();
            let mut conditional = false;
            while !content.is_empty() {
                args.push(parse_expr(&content)?);
                if content.is_empty() {
                    break;
                }
                if args.len() == 1 && content.peek(Token![|]) && !content.peek(Token![||]) {
                    content.parse::<Token![|]>()?;
                    conditional = true;
                    continue;
                }
                content.parse::<Token![,]>()?;
            }
            let span = name.span();
            return Ok(Expr { kind: ExprKind::Call { name, args, conditional }, span });
        }
        let span = name.span();
        return Ok(Expr { kind: ExprKind::Var(name), span });
    }
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        return Err(syn::Error::new(
            lit.span(),
            "a string may only appear in `print`, `reject` or `fatal_error`",
        ));
    }
    Err(expected(input, "an expression"))
}

/// An error at the next token: `expected {what}, found ...`, naming the token, or the end of
/// the enclosing brackets; a `#`, which starts a comment in old Stan, gets a hint.
fn expected(input: ParseStream, what: &str) -> syn::Error {
    let Ok(found) = input.fork().parse::<proc_macro2::TokenTree>() else {
        return syn::Error::new(input.span(), format!("expected {what}, found nothing more"));
    };
    let hint = match &found {
        proc_macro2::TokenTree::Punct(p) if p.as_char() == '#' => {
            " (Stan's `#` comments are not accepted: write `//` or `/* */`)"
        }
        _ => "",
    };
    let found_text = match &found {
        proc_macro2::TokenTree::Group(g) if g.delimiter() == Delimiter::None => "a group".into(),
        other => format!("`{other}`"),
    };
    syn::Error::new(found.span(), format!("expected {what}, found {found_text}{hint}"))
}

/// The `;` that ends a statement or declaration.
fn semicolon(input: ParseStream) -> Result<()> {
    if input.peek(Token![;]) {
        input.parse::<Token![;]>()?;
        return Ok(());
    }
    if input.is_empty() {
        return Err(syn::Error::new(input.span(), "expected `;` at the end of the statement"));
    }
    Err(expected(input, "`;`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered(src: &str) -> String {
        let stmt: Place = syn::parse::Parser::parse_str(
            |input: ParseStream| {
                let begin = input.fork();
                parse_stmt(input)?;
                Ok(place_between(&begin, input))
            },
            src,
        )
        .unwrap();
        stmt.text
    }

    #[test]
    fn statements_render_as_written() {
        assert_eq!(rendered("y ~ normal(mu, sigma);"), "y ~ normal(mu, sigma)");
        assert_eq!(rendered("y[n]~normal( a+b*x[n] , -1 );"), "y[n] ~ normal(a + b * x[n], -1)");
        assert_eq!(rendered("target += log(x) - 2 * x;"), "target += log(x) - 2 * x");
        assert_eq!(rendered("z ~ std_normal();"), "z ~ std_normal()");
        assert_eq!(rendered("target += -x ^ 2 / 2;"), "target += -x ^ 2 / 2");
        assert_eq!(rendered("y ~ normal(x[1:3], 1);"), "y ~ normal(x[1:3], 1)");
        assert_eq!(
            rendered("real z = mode == 1 ? y[k] + mu : mu;"),
            "real z = mode == 1 ? y[k] + mu : mu"
        );
        assert_eq!(rendered("x = am[3, :, 1];"), "x = am[3, :, 1]");
        assert_eq!(rendered("x = c ? v[2:3] : v[:2];"), "x = c ? v[2:3] : v[:2]");
    }
}
