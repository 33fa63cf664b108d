//! Reverse-mode derivatives: a scalar that records every operation on a tape, and a sweep back
//! along the tape that yields the whole gradient at the cost of a few log-density evaluations,
//! whatever the dimension.
//!
//! [`Rev`] is a value with the index of its node on the tape of the current thread. A node
//! stores its parents and the partial derivative with respect to each, so the tape is two flat
//! arrays that grow during the first evaluations and are then reused: clearing keeps their
//! capacity, and an evaluation of the same model records about as many nodes every time.
//!
//! The tape is thread-local because arithmetic (`a + b`) has nowhere to pass a tape through.
//! Every chain runs on its own thread, and one gradient is recorded and swept before the next
//! begins, so tapes never mix. A [`Rev`] is only meaningful on the thread, and during the
//! evaluation, that made it.

use crate::model::{LogDensity, Model, ModelError};
use crate::scalar::Scalar;
use std::cell::UnsafeCell;
use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

/// The index of a value that is not on the tape: a constant, whose derivative is zero.
const CONSTANT: u32 = u32::MAX;

/// A real number whose operations are recorded for reverse-mode differentiation.
#[derive(Clone, Copy)]
pub struct Rev {
    value: f64,
    node: u32,
}

/// The parent index that marks an unused slot of a [`Node`].
const NONE: u32 = u32::MAX;
/// The second parent index that marks a node whose parents are in the tape's edge list.
const MANY: u32 = u32::MAX - 1;
/// The second parent index that marks a node whose parents are in the tape's list of nested
/// edges (see [`Tape::finish_many`]).
const NESTED: u32 = u32::MAX - 3;
/// The second parent index that marks a product of a data matrix and a vector (see
/// [`Block`]): `a` is the index of the block.
const BLOCK: u32 = u32::MAX - 2;

/// The product `y = X v` of a data matrix `X` and a vector `v`, recorded as one unit: the
/// entries of `y` are parentless nodes right after the block's own node, and the sweep, on
/// reaching the block's node, adds `X^T adj(y)` to the adjoints of `v` in one dense pass. A
/// graph of dot products would store an edge, index and partial, for every entry of `X`.
#[derive(Clone, Copy)]
struct Block {
    /// Where `X`, row-major, begins in the tape's `data`.
    data: usize,
    /// Where the node indices of `v` begin in the tape's `operands`.
    operands: usize,
    rows: usize,
    cols: usize,
    /// The node of `y`'s first entry.
    first: usize,
}

/// One recorded operation: up to two parents with their partial derivatives, or, when `b` is
/// [`MANY`], the edges `a..end` of the tape's edge list, with `end` kept in `da`'s bits.
#[derive(Clone, Copy)]
struct Node {
    a: u32,
    b: u32,
    da: f64,
    db: f64,
}

/// The operations of one evaluation, in the order they happened, which is an order in which
/// every node comes after its parents.
struct Tape {
    nodes: Vec<Node>,
    /// Parents of the nodes with many of them, with their partial derivatives.
    edges: Vec<(u32, f64)>,
    /// How many many-parent nodes are being built (see [`Scalar::partials_push`]); their edges
    /// are pushed onto `edges`, the innermost last.
    open: usize,
    /// Parents of the many-parent nodes that were finished while another was being built.
    nested: Vec<(u32, f64)>,
    adjoints: Vec<f64>,
    blocks: Vec<Block>,
    /// The data matrices of the blocks.
    data: Vec<f64>,
    /// The operand nodes of the blocks.
    operands: Vec<u32>,
    /// Room for a block's sums in the sweep.
    scratch: Vec<f64>,
}

impl Tape {
    const fn new() -> Self {
        Tape {
            nodes: Vec::new(),
            edges: Vec::new(),
            open: 0,
            nested: Vec::new(),
            adjoints: Vec::new(),
            blocks: Vec::new(),
            data: Vec::new(),
            operands: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.nodes.clear();
        self.edges.clear();
        self.open = 0;
        self.nested.clear();
        self.blocks.clear();
        self.data.clear();
        self.operands.clear();
    }

    /// Records `out = m v` as a [`Block`]; `v` has at least one recorded entry.
    fn data_matvec(&mut self, out: &mut Vec<Rev>, m: &[Vec<f64>], v: &[Rev]) {
        let cols = v.len();
        let block = Block {
            data: self.data.len(),
            operands: self.operands.len(),
            rows: m.len(),
            cols,
            first: self.nodes.len() + 1,
        };
        for row in m {
            self.data.extend_from_slice(row);
        }
        self.operands.extend(v.iter().map(|x| x.node));
        let index = self.blocks.len() as u32;
        self.blocks.push(block);
        self.nodes.push(Node { a: index, b: BLOCK, da: 0.0, db: 0.0 });
        out.clear();
        for row in m {
            let value = row.iter().zip(v).map(|(a, b)| a * b.value).sum();
            out.push(self.input(value));
        }
    }

    #[inline]
    fn push(&mut self, node: Node, value: f64) -> Rev {
        let index = self.nodes.len() as u32;
        self.nodes.push(node);
        Rev { value, node: index }
    }

    #[inline]
    fn input(&mut self, value: f64) -> Rev {
        self.push(Node { a: NONE, b: NONE, da: 0.0, db: 0.0 }, value)
    }

    /// Ends the many-parent node whose edges begin at `start` of `edges`.
    ///
    /// The outermost node keeps its edges where they were pushed, so finishing it copies
    /// nothing. A node finished inside another moves its edges to `nested`, so that the
    /// enclosing node's edges stay contiguous.
    fn finish_many(&mut self, start: usize, value: f64) -> Rev {
        self.open = self.open.saturating_sub(1);
        if self.edges.len() == start {
            return Rev::constant(value);
        }
        if self.open == 0 {
            let end = f64::from_bits(self.edges.len() as u64);
            return self.push(Node { a: start as u32, b: MANY, da: end, db: 0.0 }, value);
        }
        let first = self.nested.len() as u32;
        self.nested.extend_from_slice(&self.edges[start..]);
        self.edges.truncate(start);
        let end = f64::from_bits(self.nested.len() as u64);
        self.push(Node { a: first, b: NESTED, da: end, db: 0.0 }, value)
    }

    /// Propagates the adjoint 1 of `output` back to every node, and leaves the adjoints of the
    /// first `grad.len()` nodes (the inputs) in `grad`.
    fn sweep(&mut self, output: Rev, grad: &mut [f64]) {
        grad.fill(0.0);
        if output.node == CONSTANT {
            return;
        }
        let n = output.node as usize + 1;
        let adjoints = &mut self.adjoints;
        adjoints.clear();
        adjoints.resize(n, 0.0);
        adjoints[n - 1] = 1.0;
        for k in (0..n).rev() {
            let adjoint = adjoints[k];
            let node = self.nodes[k];
            if node.b == BLOCK {
                let block = self.blocks[node.a as usize];
                let data = &self.data[block.data..block.data + block.rows * block.cols];
                let operands = &self.operands[block.operands..block.operands + block.cols];
                block_sweep(&block, data, operands, adjoints, &mut self.scratch);
                continue;
            }
            // A node that nothing downstream used contributes nothing; skipping it also keeps
            // an infinite partial of an unused branch from turning into 0 * inf = NaN.
            if adjoint == 0.0 {
                continue;
            }
            // Likewise a zero partial passes nothing on, even from an infinite adjoint: a value
            // that underflowed to zero (exp of a large negative number under a square root,
            // say) does not depend on its operand, and 0 * inf would be NaN.
            let mut pass = |parent: u32, partial: f64| {
                if partial != 0.0 {
                    adjoints[parent as usize] += adjoint * partial;
                }
            };
            match node.b {
                NONE => {
                    if node.a != NONE {
                        pass(node.a, node.da);
                    }
                }
                MANY => {
                    let end = node.da.to_bits() as usize;
                    for &(parent, partial) in &self.edges[node.a as usize..end] {
                        pass(parent, partial);
                    }
                }
                NESTED => {
                    let end = node.da.to_bits() as usize;
                    for &(parent, partial) in &self.nested[node.a as usize..end] {
                        pass(parent, partial);
                    }
                }
                b => {
                    pass(node.a, node.da);
                    pass(b, node.db);
                }
            }
        }
        let inputs = grad.len().min(n);
        grad[..inputs].copy_from_slice(&adjoints[..inputs]);
    }

    fn capacity(&self) -> (usize, usize) {
        (self.nodes.capacity(), self.edges.capacity())
    }
}

/// Adds `X^T adj(y)` for the block `block` (data `data`, operands `operands`) to the adjoints.
fn block_sweep(
    block: &Block,
    data: &[f64],
    operands: &[u32],
    adjoints: &mut [f64],
    scratch: &mut Vec<f64>,
) {
    scratch.clear();
    scratch.resize(block.cols, 0.0);
    let outputs = &adjoints[block.first..block.first + block.rows];
    for (row, &a) in data.chunks_exact(block.cols.max(1)).zip(outputs) {
        if a == 0.0 {
            continue;
        }
        if a.is_finite() {
            for (s, x) in scratch.iter_mut().zip(row) {
                *s += x * a;
            }
        } else {
            // As in the scalar sweep: a zero entry passes nothing on, even from an infinite
            // adjoint, where 0 * inf would be NaN.
            for (s, &x) in scratch.iter_mut().zip(row) {
                if x != 0.0 {
                    *s += x * a;
                }
            }
        }
    }
    for (&node, &s) in operands.iter().zip(scratch.iter()) {
        if node != CONSTANT && s != 0.0 {
            adjoints[node as usize] += s;
        }
    }
}

thread_local! {
    static TAPE: UnsafeCell<Tape> = const { UnsafeCell::new(Tape::new()) };
}

/// Runs `f` on this thread's tape.
#[inline]
fn with_tape<R>(f: impl FnOnce(&mut Tape) -> R) -> R {
    // SAFETY: the tape is thread-local, and no function called while it is borrowed here
    // (pushes onto vectors, the sweep) touches the tape again, so the reference is unique.
    TAPE.with(|t| f(unsafe { &mut *t.get() }))
}

impl Rev {
    /// A constant: not recorded, with derivative zero.
    #[inline]
    pub const fn constant(value: f64) -> Self {
        Rev { value, node: CONSTANT }
    }

    /// Whether the value carries no derivative (it was never recorded).
    #[inline]
    pub fn is_constant(&self) -> bool {
        self.node == CONSTANT
    }

    /// `value`, recorded as depending on `a` with partial derivative `da`.
    #[inline]
    fn unary(a: Rev, value: f64, da: f64) -> Rev {
        // A node equal to its one parent with partial 1 is the parent itself: adding a zero
        // (the off-diagonal of `K + diag_matrix(...)`) or multiplying by one records nothing.
        if a.node == CONSTANT || (da == 1.0 && value == a.value) {
            return Rev { value, node: a.node };
        }
        with_tape(|t| t.push(Node { a: a.node, b: NONE, da, db: 0.0 }, value))
    }

    /// `value`, recorded as depending on `a` and `b` with partial derivatives `da` and `db`.
    #[inline]
    fn binary(a: Rev, b: Rev, value: f64, da: f64, db: f64) -> Rev {
        match (a.node == CONSTANT, b.node == CONSTANT) {
            (true, true) => Rev::constant(value),
            (false, true) => Rev::unary(a, value, da),
            (true, false) => Rev::unary(b, value, db),
            (false, false) => with_tape(|t| t.push(Node { a: a.node, b: b.node, da, db }, value)),
        }
    }

    /// `value`, recorded as one node that depends on each of `operands` with the matching
    /// entry of `partials` as its partial derivative.
    ///
    /// This is how a vectorised function that knows its derivatives analytically enters the
    /// tape: as one node with many parents instead of a graph of scalar operations.
    pub fn from_partials(value: f64, operands: &[Rev], partials: &[f64]) -> Rev {
        let mut pending = Rev::partials_new();
        for (&a, &d) in operands.iter().zip(partials) {
            Rev::partials_push(&mut pending, a, d);
        }
        Rev::partials_finish(pending, value)
    }
}

impl fmt::Debug for Rev {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.node == CONSTANT {
            write!(f, "Rev({})", self.value)
        } else {
            write!(f, "Rev({} @ node {})", self.value, self.node)
        }
    }
}

impl PartialEq for Rev {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl PartialOrd for Rev {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.value.partial_cmp(&other.value)
    }
}

impl PartialEq<f64> for Rev {
    fn eq(&self, other: &f64) -> bool {
        self.value == *other
    }
}

impl PartialOrd<f64> for Rev {
    fn partial_cmp(&self, other: &f64) -> Option<Ordering> {
        self.value.partial_cmp(other)
    }
}

impl Add for Rev {
    type Output = Rev;
    #[inline]
    fn add(self, b: Rev) -> Rev {
        Rev::binary(self, b, self.value + b.value, 1.0, 1.0)
    }
}

impl Sub for Rev {
    type Output = Rev;
    #[inline]
    fn sub(self, b: Rev) -> Rev {
        Rev::binary(self, b, self.value - b.value, 1.0, -1.0)
    }
}

impl Mul for Rev {
    type Output = Rev;
    #[inline]
    fn mul(self, b: Rev) -> Rev {
        Rev::binary(self, b, self.value * b.value, b.value, self.value)
    }
}

impl Div for Rev {
    type Output = Rev;
    #[inline]
    fn div(self, b: Rev) -> Rev {
        let inv = 1.0 / b.value;
        let q = self.value * inv;
        Rev::binary(self, b, self.value / b.value, inv, -q * inv)
    }
}

impl Neg for Rev {
    type Output = Rev;
    #[inline]
    fn neg(self) -> Rev {
        Rev::unary(self, -self.value, -1.0)
    }
}

impl Add<f64> for Rev {
    type Output = Rev;
    #[inline]
    fn add(self, b: f64) -> Rev {
        Rev::unary(self, self.value + b, 1.0)
    }
}

impl Sub<f64> for Rev {
    type Output = Rev;
    #[inline]
    fn sub(self, b: f64) -> Rev {
        Rev::unary(self, self.value - b, 1.0)
    }
}

impl Mul<f64> for Rev {
    type Output = Rev;
    #[inline]
    fn mul(self, b: f64) -> Rev {
        Rev::unary(self, self.value * b, b)
    }
}

impl Div<f64> for Rev {
    type Output = Rev;
    #[inline]
    fn div(self, b: f64) -> Rev {
        Rev::unary(self, self.value / b, 1.0 / b)
    }
}

/// `a op= b` as `a = a op b`, for both right-hand sides.
macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt),*) => {$(
        impl $trait for Rev {
            #[inline]
            fn $method(&mut self, b: Rev) {
                *self = *self $op b;
            }
        }
        impl $trait<f64> for Rev {
            #[inline]
            fn $method(&mut self, b: f64) {
                *self = *self $op b;
            }
        }
    )*};
}

assign_ops!(AddAssign add_assign +, SubAssign sub_assign -, MulAssign mul_assign *,
    DivAssign div_assign /);

impl Scalar for Rev {
    #[inline]
    fn from_f64(x: f64) -> Self {
        Rev::constant(x)
    }

    #[inline]
    fn value(&self) -> f64 {
        self.value
    }

    #[inline]
    fn chain(self, f: f64, df: f64) -> Self {
        Rev::unary(self, f, df)
    }

    type Partials = usize;

    const PARTIALS: bool = true;

    const DERIVATIVES: bool = true;

    #[inline]
    fn partials_new() -> usize {
        with_tape(|t| {
            t.open += 1;
            t.edges.len()
        })
    }

    #[inline]
    fn partials_push(_: &mut usize, x: Self, d: f64) {
        // The sweep passes nothing along a zero partial (see `Tape::sweep`), so it is not
        // stored: the zeros of a triangular factor in a matrix product cost no edges.
        if x.node != CONSTANT && d != 0.0 {
            with_tape(|t| t.edges.push((x.node, d)));
        }
    }

    #[inline]
    fn partials_finish(start: usize, value: f64) -> Self {
        with_tape(|t| t.finish_many(start, value))
    }

    fn data_matvec(out: &mut Vec<Self>, m: &[Vec<f64>], v: &[Self]) {
        if v.iter().all(Rev::is_constant) {
            out.clear();
            out.extend(
                m.iter()
                    .map(|row| Rev::constant(row.iter().zip(v).map(|(a, b)| a * b.value).sum())),
            );
        } else {
            with_tape(|t| t.data_matvec(out, m, v));
        }
    }

    fn exp(self) -> Self {
        let e = self.value.exp();
        Rev::unary(self, e, e)
    }
    fn ln(self) -> Self {
        Rev::unary(self, self.value.ln(), 1.0 / self.value)
    }
    fn ln_1p(self) -> Self {
        Rev::unary(self, self.value.ln_1p(), 1.0 / (1.0 + self.value))
    }
    fn exp_m1(self) -> Self {
        Rev::unary(self, self.value.exp_m1(), self.value.exp())
    }
    fn sqrt(self) -> Self {
        let s = self.value.sqrt();
        Rev::unary(self, s, 0.5 / s)
    }
    fn powi(self, n: i32) -> Self {
        let d = if n == 0 { 0.0 } else { n as f64 * self.value.powi(n - 1) };
        Rev::unary(self, self.value.powi(n), d)
    }
    fn powf(self, y: f64) -> Self {
        let d = if y == 0.0 { 0.0 } else { y * self.value.powf(y - 1.0) };
        Rev::unary(self, self.value.powf(y), d)
    }
    fn sin(self) -> Self {
        Rev::unary(self, self.value.sin(), self.value.cos())
    }
    fn cos(self) -> Self {
        Rev::unary(self, self.value.cos(), -self.value.sin())
    }
    fn tan(self) -> Self {
        let t = self.value.tan();
        Rev::unary(self, t, 1.0 + t * t)
    }
    fn asin(self) -> Self {
        let x = self.value;
        Rev::unary(self, x.asin(), 1.0 / (1.0 - x * x).sqrt())
    }
    fn acos(self) -> Self {
        let x = self.value;
        Rev::unary(self, x.acos(), -1.0 / (1.0 - x * x).sqrt())
    }
    fn atan(self) -> Self {
        let x = self.value;
        Rev::unary(self, x.atan(), 1.0 / (1.0 + x * x))
    }
    fn sinh(self) -> Self {
        Rev::unary(self, self.value.sinh(), self.value.cosh())
    }
    fn cosh(self) -> Self {
        Rev::unary(self, self.value.cosh(), self.value.sinh())
    }
    fn tanh(self) -> Self {
        let t = self.value.tanh();
        Rev::unary(self, t, 1.0 - t * t)
    }
    fn abs(self) -> Self {
        let x = self.value;
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        Rev::unary(self, x.abs(), sign)
    }
    fn square(self) -> Self {
        Rev::unary(self, self.value * self.value, 2.0 * self.value)
    }
}

/// The capacities of this thread's tape (nodes, many-parent edges): what it keeps between
/// calls, and what an evaluation of the same function reuses instead of allocating.
pub fn tape_capacity() -> (usize, usize) {
    with_tape(|t| t.capacity())
}

/// The value and gradient of `f` at `x` in reverse mode, on this thread's tape.
///
/// For functions outside a [`Model`]; it allocates the inputs, so the sampler's path is
/// [`ReverseGradient`] instead.
pub fn gradient(f: impl FnOnce(&[Rev]) -> Rev, x: &[f64], grad: &mut [f64]) -> f64 {
    let inputs: Vec<Rev> = with_tape(|t| {
        t.clear();
        x.iter().map(|&xi| t.input(xi)).collect()
    });
    let out = f(&inputs);
    with_tape(|t| t.sweep(out, grad));
    out.value
}

/// Evaluates a model's log density and gradient in reverse mode, on buffers and a tape that
/// are reused from one call to the next.
pub struct ReverseGradient<'m, M: Model> {
    model: &'m M,
    inputs: Vec<Rev>,
    ws_rev: M::Workspace<Rev>,
    ws_value: M::Workspace<f64>,
    evaluations: u64,
}

impl<'m, M: Model> ReverseGradient<'m, M> {
    /// An evaluator for `model`, with its buffers allocated.
    pub fn new(model: &'m M) -> Self {
        ReverseGradient {
            model,
            inputs: vec![Rev::constant(0.0); model.dim()],
            ws_rev: model.new_workspace(),
            ws_value: model.new_workspace(),
            evaluations: 0,
        }
    }

    /// The model this evaluator belongs to.
    pub fn model(&self) -> &'m M {
        self.model
    }

    /// The log density alone, in plain `f64`.
    pub fn logp(&mut self, x: &[f64]) -> Result<f64, ModelError> {
        self.model.log_density(x, &mut self.ws_value)
    }

    /// How many gradients have been computed.
    pub fn evaluations(&self) -> u64 {
        self.evaluations
    }

    /// The `f64` workspace, for writing outputs without another allocation.
    pub fn value_workspace(&mut self) -> &mut M::Workspace<f64> {
        &mut self.ws_value
    }
}

impl<M: Model> LogDensity for ReverseGradient<'_, M> {
    fn dim(&self) -> usize {
        self.model.dim()
    }

    fn logp_and_grad(&mut self, x: &[f64], grad: &mut [f64]) -> Result<f64, ModelError> {
        self.evaluations += 1;
        with_tape(|t| {
            t.clear();
            for (input, &xi) in self.inputs.iter_mut().zip(x) {
                *input = t.input(xi);
            }
        });
        let lp = self.model.log_density(&self.inputs, &mut self.ws_rev);
        // The tape is cleared at the start of the next call, not here, so that a model error
        // costs nothing extra.
        let lp = lp?;
        with_tape(|t| t.sweep(lp, grad));
        Ok(lp.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The gradient of `f` at `x` by reverse mode.
    fn gradient(f: impl Fn(&[Rev]) -> Rev, x: &[f64]) -> (f64, Vec<f64>) {
        let mut g = vec![f64::NAN; x.len()];
        let v = super::gradient(f, x, &mut g);
        (v, g)
    }

    #[test]
    fn arithmetic_and_functions_have_their_derivatives() {
        let (v, g) = gradient(|x| x[0] * x[1] + (x[0] / x[1]).exp() - x[1].ln() * 3.0, &[1.5, 2.0]);
        let (a, b) = (1.5f64, 2.0f64);
        assert!((v - (a * b + (a / b).exp() - 3.0 * b.ln())).abs() < 1e-14);
        assert!((g[0] - (b + (a / b).exp() / b)).abs() < 1e-14);
        assert!((g[1] - (a - (a / b).exp() * a / (b * b) - 3.0 / b)).abs() < 1e-14);
    }

    #[test]
    fn a_value_used_many_times_accumulates_its_adjoints() {
        let (_, g) = gradient(
            |x| {
                let mut acc = Rev::constant(0.0);
                for _ in 0..10 {
                    acc += x[0] * x[0];
                }
                acc
            },
            &[3.0],
        );
        assert_eq!(g, [60.0]);
    }

    #[test]
    fn constants_are_not_recorded_and_unused_inputs_get_zero() {
        let (v, g) =
            gradient(|x| (x[1] + 1.0) * Rev::constant(2.0) + Rev::constant(5.0).exp(), &[7.0, 1.0]);
        assert!((v - (4.0 + 5f64.exp())).abs() < 1e-12);
        assert_eq!(g, [0.0, 2.0]);
        let (_, g) = gradient(|_| Rev::constant(1.0), &[1.0, 2.0]);
        assert_eq!(g, [0.0, 0.0]);
    }

    #[test]
    fn adding_zero_or_multiplying_by_one_records_nothing() {
        with_tape(|t| t.clear());
        let x = with_tape(|t| t.input(2.0));
        let y = (x + 0.0) * 1.0 - 0.0 + Rev::constant(0.0);
        assert_eq!((y.node, y.value), (x.node, 2.0));
        assert_eq!(with_tape(|t| t.nodes.len()), 1);
        let z = x * 1.5;
        assert_ne!(z.node, x.node);
    }

    #[test]
    fn a_data_matrix_times_a_vector_is_one_block_with_the_right_gradient() {
        let m = vec![vec![1.0, 2.0, 0.0], vec![-1.0, 0.5, 3.0]];
        // y = m (x0, x0 * x1, 4), a vector with a constant entry and a shared parent; then
        // f = y1^2 + 3 y2 + x1.
        let f = |x: &[Rev]| {
            let v = [x[0], x[0] * x[1], Rev::constant(4.0)];
            let mut y = Vec::new();
            Rev::data_matvec(&mut y, &m, &v);
            y[0] * y[0] + y[1] * 3.0 + x[1]
        };
        let (x0, x1) = (0.7, -1.3);
        let (value, g) = gradient(f, &[x0, x1]);
        let y1 = x0 + 2.0 * x0 * x1;
        let y2 = -x0 + 0.5 * x0 * x1 + 12.0;
        assert!((value - (y1 * y1 + 3.0 * y2 + x1)).abs() < 1e-12);
        let d0 = 2.0 * y1 * (1.0 + 2.0 * x1) + 3.0 * (-1.0 + 0.5 * x1);
        let d1 = 2.0 * y1 * (2.0 * x0) + 3.0 * (0.5 * x0) + 1.0;
        assert!((g[0] - d0).abs() < 1e-12, "{} vs {d0}", g[0]);
        assert!((g[1] - d1).abs() < 1e-12, "{} vs {d1}", g[1]);
        // A zero entry of the matrix passes nothing on from an infinite adjoint.
        let m0 = vec![vec![0.0, 1.0]];
        let (_, g) = gradient(
            |x: &[Rev]| {
                let mut y = Vec::new();
                Rev::data_matvec(&mut y, &m0, x);
                y[0].ln() * 0.0 + x[1]
            },
            &[0.5, 0.0],
        );
        assert!(!g[0].is_nan(), "{g:?}");
    }

    #[test]
    fn many_operand_nodes_apply_their_partials() {
        let (v, g) =
            gradient(|x| Rev::from_partials(10.0, x, &[1.0, -2.0, 0.5]) * 2.0, &[1.0, 2.0, 3.0]);
        assert_eq!(v, 20.0);
        assert_eq!(g, [2.0, -4.0, 1.0]);
    }

    #[test]
    fn a_node_built_inside_another_keeps_both_sets_of_partials() {
        // outer = 3 x0 + 5 inner + 7 x2, inner = 2 x1 + 4 x2 (built between outer's pushes),
        // then a second node after both: 11 x0.
        let (v, g) = gradient(
            |x| {
                let mut outer = Rev::partials_new();
                Rev::partials_push(&mut outer, x[0], 3.0);
                let inner = Rev::from_partials(1.0, &x[1..], &[2.0, 4.0]);
                Rev::partials_push(&mut outer, inner, 5.0);
                Rev::partials_push(&mut outer, x[2], 7.0);
                let outer = Rev::partials_finish(outer, 2.0);
                outer + Rev::from_partials(3.0, &x[..1], &[11.0])
            },
            &[1.0, 2.0, 3.0],
        );
        assert_eq!(v, 5.0);
        assert_eq!(g, [3.0 + 11.0, 5.0 * 2.0, 5.0 * 4.0 + 7.0]);
    }

    #[test]
    fn an_infinite_partial_on_an_unused_branch_does_not_poison_the_gradient() {
        let (_, g) = gradient(
            |x| {
                let _unused = x[0].sqrt();
                let zero_root = Rev::unary(x[0], 0.0, f64::INFINITY);
                x[0] * 2.0 + zero_root * 0.0
            },
            &[0.0],
        );
        // The dead branch's adjoint is zero and is skipped; the used one is NaN-free: 0 * inf
        // only arises if a zero adjoint were propagated.
        assert_eq!(g[0], 2.0);
    }
}
