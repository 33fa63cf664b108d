//! Code generation: the typed program to Rust tokens.
//!
//! Contract: the input has passed checking, so every construct here is supported and
//! well-typed; this phase reports no errors. The output is a model struct, its constructor from
//! Stan JSON data, a workspace type holding every container local (so evaluations reuse
//! memory), and an `impl Model` whose `log_density` is generic over the scalar type.
//!
//! Values live as: `int` -> `i64`; `real` -> `S` when it may depend on parameters, else `f64`;
//! `vector`, `row_vector` and 1-D arrays -> `Vec<_>`; 2-D containers -> `Vec<Vec<_>>`; each
//! further level another `Vec` around those (`array[K] matrix` -> `Vec<Vec<Vec<_>>>`).
//! Elementwise container expressions of up to two levels are never materialised: they are
//! evaluated one element at a time, inside the loop that consumes them. Values nested deeper are
//! variables or parts of them, read in place, or new nested `Vec`s (function results, literals,
//! elements picked by an index array), copied whole.

use crate::ir::*;
use crate::syntax::{AssignOp, BinOp, BlockKind, UnOp};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::Ident;

mod ode;

/// The path through which generated code reaches the runtime.
fn rt() -> TokenStream {
    crate::runtime_path::get()
}

/// Where the statements being generated run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The constructor: data and transformed data are locals here.
    Ctor,
    /// `log_density` (generic `S`) and `write_outputs` (`S = f64`).
    Method,
    /// The body of a user-defined function (generic `S`; locals are owned).
    Function,
}

/// The Rust-level kind of a scalar value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Int,
    Data,
    Var,
}

fn kind_of(ty: &Ty, ad: bool) -> Kind {
    let (leaf, _) = ty.strip_arrays();
    if *leaf == Ty::Int {
        Kind::Int
    } else if ad {
        Kind::Var
    } else {
        Kind::Data
    }
}

fn convert(tokens: TokenStream, from: Kind, to: Kind) -> TokenStream {
    let rt = rt();
    match (from, to) {
        (a, b) if a == b => tokens,
        (Kind::Int, Kind::Data) => quote!((#tokens as f64)),
        (Kind::Int, Kind::Var) => quote!(<__S as #rt::Scalar>::from_f64(#tokens as f64)),
        (Kind::Data, Kind::Var) => quote!(<__S as #rt::Scalar>::from_f64(#tokens)),
        (Kind::Var, Kind::Data) => quote!(#rt::Scalar::value(&#tokens)),
        (from, to) => unreachable!("no conversion from {from:?} to {to:?} passes checking"),
    }
}

/// The elementwise function `f` applied to the scalar `x`.
fn elementwise_call(f: Elementwise, x: TokenStream) -> TokenStream {
    let rt = rt();
    match f {
        Elementwise::Method(m) => {
            let m = Ident::new(m, Span::call_site());
            quote!(#rt::Scalar::#m(#x))
        }
        Elementwise::Math(m) => {
            let m = Ident::new(m, Span::call_site());
            quote!(#rt::math::#m(#x))
        }
    }
}

fn scalar_type(kind: Kind) -> TokenStream {
    match kind {
        Kind::Int => quote!(i64),
        Kind::Data => quote!(f64),
        Kind::Var => quote!(__S),
    }
}

/// Whether the matrix function `f` is the `_rng` of a multivariate or ordinal family, which
/// lives in the runtime's `dist` and draws from the chain's random number generator.
fn is_rng(f: &str) -> bool {
    f.ends_with("_rng")
}

fn nan(kind: Kind) -> TokenStream {
    match kind {
        Kind::Int => quote!(i64::MIN),
        k => convert(quote!(f64::NAN), Kind::Data, k),
    }
}

/// The elements `depth` levels down a nested container, in row-major order: `.iter()` (or
/// `.iter_mut()`) followed by `depth - 1` `.flatten()`s. Depth 1 gives the container's own
/// elements; its full number of levels gives the scalars.
fn flat_iter(place: &TokenStream, depth: usize, mutable: bool) -> TokenStream {
    let it = if mutable { quote!(iter_mut) } else { quote!(iter) };
    let flats = (1..depth).map(|_| quote!(.flatten()));
    quote!((#place).#it() #(#flats)*)
}

/// Statements that give the container behind `place` (a `&mut Vec<..>`) the sizes `dims`
/// (evaluated `usize`s, outermost first), reusing its allocations. With `fill`, the innermost
/// level is resized and its elements set to `fill`; without, the levels of `dims` are resized
/// and new elements left empty (for elements that their own code sizes, such as matrices).
fn resize_levels(
    place: TokenStream,
    dims: &[TokenStream],
    fill: Option<&TokenStream>,
) -> TokenStream {
    let rt = rt();
    match (dims, fill) {
        ([], _) => quote!(),
        ([n], Some(f)) => quote!(#rt::ops::resize(&mut *#place, #n, #f);),
        ([n, m], Some(f)) => quote!(#rt::ops::resize2(&mut *#place, #n, #m, #f);),
        ([n, rest @ ..], _) => {
            let inner = if rest.is_empty() {
                quote!()
            } else {
                let r = resize_levels(quote!(__e), rest, fill);
                quote!(for __e in __v.iter_mut() { #r })
            };
            quote!({
                let __v = &mut *#place;
                __v.truncate(#n);
                __v.resize_with(#n, ::std::default::Default::default);
                #inner
            })
        }
    }
}

/// The sizes of the rectangular container at `place` with `levels` levels, outermost first, as
/// an array expression, read from its first elements.
fn dims_of_place(place: &TokenStream, levels: usize) -> TokenStream {
    let dims = (0..levels).map(|j| {
        if j == 0 {
            return quote!((#place).len());
        }
        let deeper = (1..j).map(|_| quote!(.and_then(|__r| __r.first())));
        quote!((#place).first() #(#deeper)* .map_or(0, |__r| __r.len()))
    });
    quote!([#(#dims),*])
}

/// One elementwise expression, ready to be evaluated element by element.
struct Elem {
    /// Statements to run first: hoisted scalars and length checks.
    prelude: Vec<TokenStream>,
    /// The number of elements, or `None` for a scalar that broadcasts.
    len: Option<TokenStream>,
    /// Element `__i` (a `usize` in scope).
    elem: TokenStream,
    kind: Kind,
}

pub struct Gen<'p> {
    p: &'p Program,
    ctx: Ctx,
    /// The return type of the function being generated.
    current_ret: Option<Ty>,
    /// Whether the function being generated calls a user-defined function, and so may recurse.
    calls_user: bool,
    counter: usize,
    /// Workspace fields: (field name, type).
    ws_fields: Vec<(Ident, TokenStream)>,
    /// Whether statements name themselves when they fail, and those that add to the log density
    /// also when they leave it non-finite (for `log_density_explained` and `write_outputs`, in
    /// `f64`, never for the log density that sampling evaluates).
    explain: bool,
    /// Indexed expressions that are not variables (`f(x)` in `f(x)[2]`), already evaluated by
    /// statements in the prelude being built, with the place holding each value. Entries are
    /// popped once the code that reads them is generated.
    roots: Vec<(*const TExpr, TokenStream)>,
}

pub fn generate(p: &Program) -> TokenStream {
    let mut g = Gen {
        p,
        ctx: Ctx::Ctor,
        current_ret: None,
        calls_user: false,
        counter: 0,
        ws_fields: Vec::new(),
        explain: false,
        roots: Vec::new(),
    };
    g.program()
}

fn var_ident(info: &VarInfo) -> Ident {
    use syn::ext::IdentExt;
    let raw = info.name.unraw().to_string();
    Ident::new(&format!("v_{raw}"), info.name.span())
}

/// Whether any of `stmts` (or the statements nested in them) assigns to one of `vars`.
fn writes_any(stmts: &[TStmt], vars: &[VarId]) -> bool {
    stmts.iter().any(|s| match s {
        TStmt::Assign { target, .. } => vars.contains(&target.var),
        TStmt::For { body, .. }
        | TStmt::ForEach { body, .. }
        | TStmt::While { body, .. }
        | TStmt::Block(body) => writes_any(body, vars),
        TStmt::If { then, otherwise, .. } => writes_any(then, vars) || writes_any(otherwise, vars),
        _ => false,
    })
}

/// Statements that need the `S` type parameter name it; in the constructor and in
/// `write_outputs` it stands for `f64`.
fn s_alias() -> TokenStream {
    quote!(
        #[allow(dead_code, non_camel_case_types)]
        type __S = f64;
    )
}

impl<'p> Gen<'p> {
    fn fresh(&mut self, what: &str) -> Ident {
        self.counter += 1;
        format_ident!("__{}{}", what, self.counter)
    }

    fn info(&self, id: VarId) -> &'p VarInfo {
        let p: &'p Program = self.p;
        &p.vars[id]
    }

    fn name_str(&self, id: VarId) -> String {
        self.info(id).name.to_string()
    }

    /// The place a variable lives: a field of `self`, or a local.
    fn var_place(&self, id: VarId) -> TokenStream {
        let info = self.info(id);
        let ident = var_ident(info);
        match (info.origin, self.ctx) {
            (Origin::Field(_), Ctx::Method) => quote!(self.#ident),
            _ => quote!(#ident),
        }
    }

    fn program(&mut self) -> TokenStream {
        let rt = rt();
        let p = self.p;
        let name = &p.name;
        let vis = &p.vis;
        let attrs = &p.attrs;
        let ws_name = format_ident!("__{}Workspace", name);

        // Fields: data, transformed data, and the unconstrained dimension.
        let mut fields = Vec::new();
        let mut field_names = Vec::new();
        for d in &p.data {
            fields.push(self.field_decl(d.var));
            let ident = var_ident(self.info(d.var));
            field_names.push(quote!(#ident));
        }
        for d in Program::block_decls(&p.transformed_data) {
            fields.push(self.field_decl(d.var));
            let ident = var_ident(self.info(d.var));
            field_names.push(if self.info(d.var).ty.is_scalar() {
                quote!(#ident)
            } else {
                quote!(#ident: ::std::mem::take(#ident))
            });
        }

        let functions = self.functions();
        self.ctx = Ctx::Ctor;
        let read_data: Vec<TokenStream> = p.data.iter().map(|d| self.read_data(d)).collect();
        let tdata = self.stmts(&p.transformed_data, BlockKind::TransformedData);
        let tdata_checks = self.decl_checks(&p.transformed_data, true);
        let dim_terms: Vec<TokenStream> = p.parameters.iter().map(|d| self.free_size(d)).collect();

        self.ctx = Ctx::Method;
        let read_params = self.read_params(quote!(theta), quote!(&mut *__target));
        let read_params_out = self.read_params(quote!(theta), quote!(&mut __jacobian));
        let tparams = self.stmts(&p.transformed_parameters, BlockKind::TransformedParameters);
        let tparams_checks = self.decl_checks(&p.transformed_parameters, false);
        let model = self.stmts(&p.model, BlockKind::Model);
        // The explaining versions run only after an error, and outputs once per draw, so they
        // can afford a closure per statement to name the one that failed.
        self.explain = true;
        let tparams_explained =
            self.stmts(&p.transformed_parameters, BlockKind::TransformedParameters);
        let model_explained = self.stmts(&p.model, BlockKind::Model);
        let generated = self.stmts(&p.generated, BlockKind::GeneratedQuantities);
        self.explain = false;
        let unconstrain_params: Vec<TokenStream> =
            p.parameters.iter().map(|d| self.unconstrain_param(d)).collect();
        let mut read_params_explained = self.read_params(quote!(theta), quote!(&mut *__target));
        for (code, d) in read_params_explained[1..].iter_mut().zip(&p.parameters) {
            let pname = self.name_str(d.var);
            code.extend(quote!(#rt::ops::explain_jacobian(*__target, #pname)?;));
        }
        let generated_checks = self.decl_checks(&p.generated, false);

        let outputs = self.outputs();
        let write_outputs: Vec<TokenStream> =
            outputs.iter().map(|&(id, _)| self.write_output(id)).collect();
        let gq_writes: Vec<TokenStream> = outputs
            .iter()
            .filter(|(_, b)| *b == BlockKind::GeneratedQuantities)
            .map(|&(id, _)| self.write_output(id))
            .collect();
        let n_before_gq =
            outputs.iter().filter(|(_, b)| *b != BlockKind::GeneratedQuantities).count();
        let write_before_gq = &write_outputs[..n_before_gq];
        let shapes: Vec<TokenStream> =
            outputs.iter().map(|&(id, _)| self.output_shape(id)).collect();

        let ws_fields: Vec<TokenStream> =
            self.ws_fields.iter().map(|(f, t)| quote!(#f: #t)).collect();
        let ws_inits: Vec<TokenStream> =
            self.ws_fields.iter().map(|(f, _)| quote!(#f: ::std::vec::Vec::new())).collect();
        let model_name = name.to_string();
        let alias = s_alias();

        quote! {
            #(#functions)*

            #(#attrs)*
            #[derive(Debug, Clone)]
            #[allow(non_snake_case)]
            #vis struct #name {
                #(#fields,)*
                __dim: usize,
            }

            #[doc(hidden)]
            #[allow(non_snake_case, non_camel_case_types)]
            #vis struct #ws_name<__S> {
                #(#ws_fields,)*
                __marker: ::std::marker::PhantomData<__S>,
            }

            #[allow(
                non_snake_case,
                non_camel_case_types,
                unused_variables,
                unused_mut,
                unused_parens,
                unused_assignments,
                unreachable_code,
                clippy::all
            )]
            impl #name {
                /// Builds the model from data in Stan's JSON format, checking every size and
                /// constraint, and runs `transformed data`.
                pub fn new(
                    data: &#rt::data::DataSource,
                ) -> ::std::result::Result<Self, #rt::Error> {
                    #alias
                    let __src = data;
                    let mut __tdata_rng =
                        #rt::rng::chain_rng(0, 0, #rt::rng::Stream::TransformedData);
                    let __rng = &mut __tdata_rng;
                    #(#read_data)*
                    #(#tdata)*
                    #(#tdata_checks)*
                    let __dim: usize = 0 #(+ #dim_terms)*;
                    Ok(#name { #(#field_names,)* __dim })
                }

                /// Builds the model from a JSON string in Stan's data format.
                pub fn from_json_str(json: &str) -> ::std::result::Result<Self, #rt::Error> {
                    Self::new(&#rt::data::DataSource::from_json_str(json)?)
                }

                /// Builds the model from a JSON file in Stan's data format.
                pub fn from_json_file(
                    path: impl ::std::convert::AsRef<::std::path::Path>,
                ) -> ::std::result::Result<Self, #rt::Error> {
                    Self::new(&#rt::data::DataSource::from_json_file(path)?)
                }
            }

            #[allow(
                non_snake_case,
                non_camel_case_types,
                unused_variables,
                unused_mut,
                unused_parens,
                unused_assignments,
                unreachable_code,
                clippy::all
            )]
            impl #rt::Model for #name {
                type Workspace<__S: #rt::Scalar> = #ws_name<__S>;

                fn name(&self) -> &'static str {
                    #model_name
                }

                fn dim(&self) -> usize {
                    self.__dim
                }

                fn output_names(&self) -> ::std::vec::Vec<::std::string::String> {
                    let mut names = ::std::vec::Vec::new();
                    for (name, dims) in self.output_shapes() {
                        #rt::ops::flat_names(&name, &dims, &mut names);
                    }
                    names
                }

                fn output_shapes(
                    &self,
                ) -> ::std::vec::Vec<(::std::string::String, ::std::vec::Vec<usize>)> {
                    let __shape = || -> ::std::result::Result<_, #rt::ModelError> {
                        Ok(::std::vec![#(#shapes),*])
                    };
                    __shape().unwrap_or_default()
                }

                fn new_workspace<__S: #rt::Scalar>(&self) -> Self::Workspace<__S> {
                    #ws_name { #(#ws_inits,)* __marker: ::std::marker::PhantomData }
                }

                fn log_density<__S: #rt::Scalar>(
                    &self,
                    theta: &[__S],
                    ws: &mut Self::Workspace<__S>,
                ) -> ::std::result::Result<__S, #rt::ModelError> {
                    let mut __target_value = <__S as #rt::Scalar>::zero();
                    let __target = &mut __target_value;
                    let mut __pos = 0usize;
                    #(#read_params)*
                    #(#tparams)*
                    #(#tparams_checks)*
                    #(#model)*
                    Ok(__target_value)
                }

                fn unconstrain(
                    &self,
                    __src: &#rt::data::DataSource,
                ) -> ::std::result::Result<::std::vec::Vec<f64>, #rt::Error> {
                    #alias
                    let mut __ws = #rt::Model::new_workspace::<f64>(self);
                    let ws = &mut __ws;
                    let mut __free: ::std::vec::Vec<f64> =
                        ::std::vec::Vec::with_capacity(self.__dim);
                    #(#unconstrain_params)*
                    if __free.len() != self.__dim {
                        return Err(#rt::Error::Sampling(format!(
                            "internal error: {} unconstrained values for {} parameters",
                            __free.len(), self.__dim
                        )));
                    }
                    Ok(__free)
                }

                fn log_density_explained(
                    &self,
                    theta: &[f64],
                    ws: &mut Self::Workspace<f64>,
                ) -> ::std::result::Result<f64, #rt::ModelError> {
                    #alias
                    let mut __target_value = 0.0f64;
                    let __target = &mut __target_value;
                    let mut __pos = 0usize;
                    #(#read_params_explained)*
                    #(#tparams_explained)*
                    #(#tparams_checks)*
                    #(#model_explained)*
                    Ok(__target_value)
                }

                fn write_outputs(
                    &self,
                    theta: &[f64],
                    ws: &mut Self::Workspace<f64>,
                    __rng: &mut #rt::rng::ChainRng,
                    generated: bool,
                    out: &mut [f64],
                ) -> ::std::result::Result<(), #rt::ModelError> {
                    #alias
                    let mut __out = 0usize;
                    // Everything runs in a closure so that, whatever fails, every output not yet
                    // written is NaN rather than a value left over from the previous draw.
                    let mut __write = || -> ::std::result::Result<(), #rt::ModelError> {
                        let mut __jacobian = 0.0f64;
                        let mut __target_value = 0.0f64;
                        let __target = &mut __target_value;
                        let mut __pos = 0usize;
                        #(#read_params_out)*
                        #(#tparams_explained)*
                        #(#tparams_checks)*
                        #(#write_before_gq)*
                        if !generated {
                            return Ok(());
                        }
                        #(#generated)*
                        #(#generated_checks)*
                        #(#gq_writes)*
                        Ok(())
                    };
                    let __result = __write();
                    for o in out[__out..].iter_mut() {
                        *o = f64::NAN;
                    }
                    __result
                }
            }
        }
    }

    fn field_type(&self, id: VarId) -> TokenStream {
        let info = self.info(id);
        let kind = kind_of(&info.ty, false);
        self.container_type(&info.ty, scalar_type(kind))
    }

    fn container_type(&self, ty: &Ty, leaf: TokenStream) -> TokenStream {
        match ty {
            Ty::Int | Ty::Real => leaf,
            Ty::Vector | Ty::RowVector => quote!(::std::vec::Vec<#leaf>),
            Ty::Matrix => quote!(::std::vec::Vec<::std::vec::Vec<#leaf>>),
            Ty::Array(inner) => {
                let inner = self.container_type(inner, leaf);
                quote!(::std::vec::Vec<#inner>)
            }
            _ => unreachable!("checking rejects other types"),
        }
    }

    fn field_decl(&self, id: VarId) -> TokenStream {
        let ident = var_ident(self.info(id));
        let ty = self.field_type(id);
        quote!(#ident: #ty)
    }

    /// The sizes of a declaration as `usize` expressions, outermost first.
    fn dims(&mut self, id: VarId, sizes: &Sizes) -> Vec<TokenStream> {
        let rt = rt();
        let name = self.name_str(id);
        let mut out: Vec<TokenStream> = sizes
            .array_dims
            .iter()
            .chain(&sizes.sizes)
            .zip(&sizes.texts)
            .map(|(e, text)| {
                let v = self.scalar(e, Kind::Int);
                quote!(#rt::ops::declared_size(#name, #text, #v)?)
            })
            .collect();
        if sizes.square {
            let last = out.last().cloned().expect("a square matrix has a size");
            out.push(last);
        }
        out
    }

    fn read_data(&mut self, d: &TDecl) -> TokenStream {
        let rt = rt();
        let id = d.var;
        let ident = var_ident(self.info(id));
        let name = self.name_str(id);
        let ty = self.info(id).ty.clone();
        let int = kind_of(&ty, false) == Kind::Int;
        let dims = self.dims(id, &d.sizes);
        let nd = dims.len();
        let read = match (nd, int) {
            (0, true) => quote!(__src.int(#name)?),
            (0, false) => quote!(__src.real(#name)?),
            (_, true) => quote!(__src.ints(#name, &__dims)?),
            (_, false) => quote!(__src.reals(#name, &__dims)?),
        };
        let shape = match nd {
            0 | 1 => quote!(__flat),
            2 => quote!(
                (0..__dims[0])
                    .map(|i| __flat[i * __dims[1]..(i + 1) * __dims[1]].to_vec())
                    .collect()
            ),
            _ => {
                // Row `r` at each level is `r * dims[j] + i` of the level above; the innermost
                // level is a slice of the row-major values.
                fn level(j: usize, nd: usize, row: TokenStream) -> TokenStream {
                    if j + 1 == nd {
                        return quote!(__flat[#row * __dims[#j]..(#row + 1) * __dims[#j]].to_vec());
                    }
                    let i = format_ident!("__i{}", j);
                    let inner = level(j + 1, nd, quote!((#row * __dims[#j] + #i)));
                    quote!((0..__dims[#j]).map(|#i| #inner).collect())
                }
                let i0 = format_ident!("__i0");
                let inner = level(1, nd, quote!(#i0));
                quote!((0..__dims[0]).map(|#i0| #inner).collect())
            }
        };
        let fty = self.field_type(id);
        let mut check = self.data_bounds(d, int);
        if let Some(c) = d.vector_constraint {
            let which = c.type_name();
            check.extend(quote! {
                #rt::data::check_constrained(#name, &__flat, &__dims, #which, |x| {
                    #rt::ops::vector_constraint(#which, x)
                })?;
            });
        }
        let shaped = match d.matrix_constraint {
            Some(c) if nd > 2 => {
                let which = c.type_name();
                quote! {{
                    #rt::data::check_matrices_constrained(#name, #which, &__flat, &__dims)?;
                    #shape
                }}
            }
            Some(c) => {
                let which = c.type_name();
                quote! {{
                    let __rows: #fty = #shape;
                    #rt::data::check_matrix_constrained(#name, #which, &__rows)?;
                    __rows
                }}
            }
            None => shape,
        };
        quote! {
            let #ident: #fty = {
                let __dims: [usize; #nd] = [#(#dims),*];
                let __flat = #read;
                #check
                #shaped
            };
        }
    }

    fn data_bounds(&mut self, d: &TDecl, int: bool) -> TokenStream {
        let rt = rt();
        let TConstraint::Bounds { lower, upper } = &d.constraint else {
            return quote!();
        };
        let name = self.name_str(d.var);
        let want = if int { Kind::Int } else { Kind::Data };
        let mut bound = |b: &Option<TExpr>| match b {
            Some(e) => {
                let v = self.scalar(e, want);
                quote!(Some(#v))
            }
            None => quote!(None),
        };
        let (lo, hi) = (bound(lower), bound(upper));
        let values = if d.sizes.array_dims.is_empty() && d.sizes.sizes.is_empty() {
            quote!(::std::slice::from_ref(&__flat))
        } else {
            quote!(&__flat)
        };
        if int {
            quote!(#rt::data::check_bounds_int(#name, #values, &__dims, #lo, #hi)?;)
        } else {
            quote!(#rt::data::check_bounds_real(#name, #values, &__dims, #lo, #hi)?;)
        }
    }

    /// The number of unconstrained values a parameter takes.
    fn free_size(&mut self, d: &TDecl) -> TokenStream {
        let rt = rt();
        let mut dims = self.dims(d.var, &d.sizes);
        if let Some(c) = d.matrix_constraint {
            let which = c.type_name();
            let n = dims.pop().expect("a matrix has columns");
            let m = dims.pop().expect("a matrix has rows");
            // An array of matrices: each takes the same number.
            return quote!((1usize #(* #dims)* * #rt::transform::matrix_free_dim(#which, #m, #n)));
        }
        if let Some(c) = d.vector_constraint {
            let k = dims.pop().expect("a constrained vector has a size");
            let free = format_ident!("{}_free_dim", c.transform());
            let (name, which) = (self.name_str(d.var), c.type_name());
            dims.push(quote! {
                #rt::transform::#free(#rt::ops::check_vector_param_dim(#name, #which, #k)?)
            });
        }
        quote!((1usize #(* #dims)*))
    }

    fn ws_field(&mut self, id: VarId) -> Ident {
        let info = self.info(id);
        let field = format_ident!("f{}_{}", id, info.name.to_string());
        if !self.ws_fields.iter().any(|(f, _)| *f == field) {
            let kind = kind_of(&info.ty, info.ad);
            let ty = self.container_type(&info.ty.clone(), scalar_type(kind));
            self.ws_fields.push((field.clone(), ty));
        }
        field
    }

    /// Reads every parameter from `theta`, constraining it and adding the log Jacobian to
    /// `jacobian` (a `&mut S`).
    fn read_params(&mut self, theta: TokenStream, jacobian: TokenStream) -> Vec<TokenStream> {
        let rt = rt();
        let mut out = vec![quote! {
            if #theta.len() != self.__dim {
                return Err(#rt::ModelError::fatal(format!(
                    "expected {} unconstrained parameters, found {}", self.__dim, #theta.len()
                )));
            }
        }];
        let p: &'p Program = self.p;
        for d in &p.parameters {
            let id = d.var;
            let ident = var_ident(self.info(id));
            let (lo, hi, transform) = self.transform(&d.constraint, jacobian.clone());
            let pname = self.name_str(id);
            let guard = match &d.constraint {
                TConstraint::Bounds { lower: Some(_), upper: Some(_) } => {
                    quote!(#rt::ops::check_bound_order(#pname, __lb, __ub)?;)
                }
                TConstraint::OffsetMultiplier { offset, multiplier } => {
                    let o = if offset.is_some() {
                        quote!(__offset)
                    } else {
                        quote!(<__S as #rt::Scalar>::zero())
                    };
                    let m = if multiplier.is_some() {
                        quote!(__mult)
                    } else {
                        quote!(<__S as #rt::Scalar>::one())
                    };
                    quote!(#rt::ops::check_affine(#pname, #o, #m)?;)
                }
                _ => quote!(),
            };
            let hi = quote!(#hi #guard);
            let dims = self.dims(id, &d.sizes);
            if let Some(c) = d.vector_constraint {
                out.push(self.read_constrained_vector(id, c, &dims, &theta, &jacobian));
                continue;
            }
            if let Some(c) = d.matrix_constraint
                && dims.len() > 2
            {
                // An array of constrained matrices, each read through the transform in turn.
                let field = self.ws_field(id);
                let (scratch, _) = self.temp_field(Kind::Var);
                let which = c.type_name();
                let nd = dims.len();
                let names: Vec<TokenStream> = (0..nd - 2).map(|k| quote!(__dims[#k])).collect();
                let resize = resize_levels(quote!(#ident), &names, None);
                let mats = flat_iter(&quote!(#ident), nd - 2, true);
                let (m, n) = (nd - 2, nd - 1);
                out.push(quote! {
                    let #ident = &mut ws.#field;
                    {
                        let __dims: [usize; #nd] = [#(#dims),*];
                        let (__m, __n) = (__dims[#m], __dims[#n]);
                        #rt::ops::check_matrix_param_dims(#pname, #which, __m, __n)?;
                        #resize
                        for __mat in #mats {
                            __pos += #rt::transform::constrain_matrix(
                                #which, &#theta[__pos..], __m, __n, &mut ws.#scratch,
                                &mut *__mat, #jacobian,
                            );
                        }
                    }
                });
                continue;
            }
            if let Some(c) = d.matrix_constraint {
                let field = self.ws_field(id);
                let (scratch, _) = self.temp_field(Kind::Var);
                let which = c.type_name();
                let (m, n) = (&dims[0], &dims[1]);
                out.push(quote! {
                    let #ident = &mut ws.#field;
                    {
                        let (__m, __n) = (#m, #n);
                        #rt::ops::check_matrix_param_dims(#pname, #which, __m, __n)?;
                        __pos += #rt::transform::constrain_matrix(
                            #which, &#theta[__pos..], __m, __n, &mut ws.#scratch, &mut *#ident,
                            #jacobian,
                        );
                    }
                });
                continue;
            }
            let read = quote!(#theta[__pos]);
            let one = quote!({ let __x = #read; __pos += 1; #transform });
            let code = match dims.len() {
                0 => quote! {
                    #lo #hi
                    let mut #ident: __S = #one;
                },
                1 => {
                    let field = self.ws_field(id);
                    let n = &dims[0];
                    quote! {
                        #lo #hi
                        let #ident = &mut ws.#field;
                        #rt::ops::resize(&mut *#ident, #n, <__S as #rt::Scalar>::zero());
                        for __k in 0..#ident.len() {
                            #ident[__k] = #one;
                        }
                    }
                }
                nd => {
                    let field = self.ws_field(id);
                    let names: Vec<TokenStream> = (0..nd).map(|k| quote!(__dims[#k])).collect();
                    let zero = quote!(<__S as #rt::Scalar>::zero());
                    let resize = resize_levels(quote!(#ident), &names, Some(&zero));
                    let leaves = flat_iter(&quote!(#ident), nd, true);
                    quote! {
                        #lo #hi
                        let #ident = &mut ws.#field;
                        let __dims: [usize; #nd] = [#(#dims),*];
                        #resize
                        for __x in #leaves {
                            *__x = #one;
                        }
                    }
                }
            };
            out.push(code);
        }
        out
    }

    /// Reads parameter `d` on the constrained scale from `__src` (initial values), checks it
    /// against its constraint, appends its unconstrained coordinates to `__free`, and binds
    /// it as in `log_density`, so that later bounds may refer to it.
    fn unconstrain_param(&mut self, d: &TDecl) -> TokenStream {
        let rt = rt();
        let id = d.var;
        let ident = var_ident(self.info(id));
        let name = self.name_str(id);
        let dims = self.dims(id, &d.sizes);
        let nd = dims.len();
        let (lo, hi, _) = self.transform(&d.constraint, quote!(&mut 0.0));
        let guard = match &d.constraint {
            TConstraint::Bounds { lower: Some(_), upper: Some(_) } => {
                quote!(#rt::ops::check_bound_order(#name, __lb, __ub)?;)
            }
            _ => quote!(),
        };
        let call = if let Some(c) = d.matrix_constraint
            && nd > 2
        {
            let which = c.type_name();
            let (m, n) = (nd - 2, nd - 1);
            quote! {
                #rt::ops::check_matrix_param_dims(#name, #which, __dims[#m], __dims[#n])?;
                #rt::data::unconstrain_matrices(#name, #which, &__flat, &__dims, &mut __free)?;
            }
        } else if let Some(c) = d.matrix_constraint {
            let which = c.type_name();
            quote! {
                #rt::ops::check_matrix_param_dims(#name, #which, __dims[0], __dims[1])?;
                #rt::data::unconstrain_matrix(
                    #name, #which, &__flat, __dims[0], __dims[1], &mut __free,
                )?;
            }
        } else if let Some(c) = d.vector_constraint {
            let which = c.type_name();
            quote!(#rt::data::unconstrain_vectors(#name, #which, &__flat, &__dims, &mut __free)?;)
        } else {
            match &d.constraint {
                TConstraint::None => {
                    quote!(#rt::data::unconstrain_free(#name, &__flat, &__dims, &mut __free)?;)
                }
                TConstraint::Bounds { lower, upper } => {
                    let l = if lower.is_some() { quote!(Some(__lb)) } else { quote!(None) };
                    let u = if upper.is_some() { quote!(Some(__ub)) } else { quote!(None) };
                    quote! {
                        #rt::data::unconstrain_bounded(
                            #name, &__flat, &__dims, #l, #u, &mut __free,
                        )?;
                    }
                }
                TConstraint::OffsetMultiplier { offset, multiplier } => {
                    let o = if offset.is_some() { quote!(__offset) } else { quote!(0.0) };
                    let m = if multiplier.is_some() { quote!(__mult) } else { quote!(1.0) };
                    quote! {
                        #rt::data::unconstrain_affine(
                            #name, &__flat, &__dims, #o, #m, &mut __free,
                        )?;
                    }
                }
            }
        };
        let bind = match nd {
            0 => quote!(let mut #ident: f64 = __flat[0];),
            1 => {
                let field = self.ws_field(id);
                quote! {
                    let #ident = &mut ws.#field;
                    #ident.clear();
                    #ident.extend_from_slice(&__flat);
                }
            }
            _ => {
                let field = self.ws_field(id);
                let names: Vec<TokenStream> = (0..nd).map(|k| quote!(__dims[#k])).collect();
                let resize = resize_levels(quote!(#ident), &names, Some(&quote!(0.0)));
                let leaves = flat_iter(&quote!(#ident), nd, true);
                quote! {
                    let #ident = &mut ws.#field;
                    #resize
                    for (__k, __x) in #leaves.enumerate() {
                        *__x = __flat[__k];
                    }
                }
            }
        };
        quote! {
            let __dims: [usize; #nd] = [#(#dims),*];
            let __flat: ::std::vec::Vec<f64> = __src.reals(#name, &__dims)?;
            #lo #hi #guard
            #call
            #bind
        }
    }

    /// Reads a `simplex`, `ordered`, ... (or an array of them) through its transform.
    fn read_constrained_vector(
        &mut self,
        id: VarId,
        c: VectorConstraint,
        dims: &[TokenStream],
        theta: &TokenStream,
        jacobian: &TokenStream,
    ) -> TokenStream {
        let rt = rt();
        let ident = var_ident(self.info(id));
        let field = self.ws_field(id);
        let transform = format_ident!("{}", c.transform());
        let free = format_ident!("{}_free_dim", c.transform());
        let one = |row: TokenStream| {
            quote! {
                let __free = #rt::transform::#free(#row.len());
                let __free_values = &#theta[__pos..__pos + __free];
                #rt::transform::#transform(__free_values, &mut #row[..], #jacobian);
                __pos += __free;
            }
        };
        if dims.len() == 1 {
            let n = &dims[0];
            let body = one(quote!(#ident));
            quote! {
                let #ident = &mut ws.#field;
                #rt::ops::resize(&mut *#ident, #n, <__S as #rt::Scalar>::zero());
                #body
            }
        } else {
            let body = one(quote!(__row));
            let nd = dims.len();
            let names: Vec<TokenStream> = (0..nd).map(|k| quote!(__dims[#k])).collect();
            let zero = quote!(<__S as #rt::Scalar>::zero());
            let resize = resize_levels(quote!(#ident), &names, Some(&zero));
            let rows = flat_iter(&quote!(#ident), nd - 1, true);
            quote! {
                let #ident = &mut ws.#field;
                let __dims: [usize; #nd] = [#(#dims),*];
                #resize
                for __row in #rows {
                    #body
                }
            }
        }
    }

    /// Hoisted bound values and the constraining expression for `__x`.
    fn transform(
        &mut self,
        c: &TConstraint,
        jacobian: TokenStream,
    ) -> (TokenStream, TokenStream, TokenStream) {
        let rt = rt();
        let hoist = |g: &mut Self, e: &Option<TExpr>, name: &str| {
            e.as_ref().map(|e| {
                let v = g.scalar(e, Kind::Var);
                let id = format_ident!("{}", name);
                (quote!(let #id: __S = #v;), id)
            })
        };
        match c {
            TConstraint::None => (quote!(), quote!(), quote!(__x)),
            TConstraint::Bounds { lower, upper } => {
                let lo = hoist(self, lower, "__lb");
                let hi = hoist(self, upper, "__ub");
                let call = match (&lo, &hi) {
                    (Some((_, l)), Some((_, u))) => {
                        quote!(#rt::transform::lower_upper_bound(__x, #l, #u, #jacobian))
                    }
                    (Some((_, l)), None) => quote!(#rt::transform::lower_bound(__x, #l, #jacobian)),
                    (None, Some((_, u))) => quote!(#rt::transform::upper_bound(__x, #u, #jacobian)),
                    (None, None) => quote!(__x),
                };
                (
                    lo.map(|(t, _)| t).unwrap_or_default(),
                    hi.map(|(t, _)| t).unwrap_or_default(),
                    call,
                )
            }
            TConstraint::OffsetMultiplier { offset, multiplier } => {
                let o = hoist(self, offset, "__offset");
                let m = hoist(self, multiplier, "__mult");
                let oi =
                    o.as_ref().map_or(quote!(<__S as #rt::Scalar>::zero()), |(_, i)| quote!(#i));
                let mi =
                    m.as_ref().map_or(quote!(<__S as #rt::Scalar>::one()), |(_, i)| quote!(#i));
                (
                    o.map(|(t, _)| t).unwrap_or_default(),
                    m.map(|(t, _)| t).unwrap_or_default(),
                    quote!(#rt::transform::offset_multiplier(__x, #oi, #mi, #jacobian)),
                )
            }
        }
    }

    /// Constraint checks for the block-level declarations of `stmts`, run after the block.
    fn decl_checks(&mut self, stmts: &[TStmt], _ctor: bool) -> Vec<TokenStream> {
        let rt = rt();
        let mut out = Vec::new();
        for d in Program::block_decls(stmts) {
            if let Some(c) = d.matrix_constraint {
                let name = self.name_str(d.var);
                let which = c.type_name();
                let place = self.var_place(d.var);
                let arrays = d.sizes.array_dims.len();
                out.push(if arrays == 0 {
                    quote!(#rt::ops::check_matrix_constraint(#name, #which, &#place[..])?;)
                } else {
                    // The element's name is only built for a check that fails.
                    let mats = flat_iter(&place, arrays, false);
                    let outer = dims_of_place(&place, arrays);
                    quote! {
                        for (__k, __mat) in #mats.enumerate() {
                            let __ok = #rt::ops::check_matrix_constraint(#name, #which, &__mat[..]);
                            if __ok.is_err() {
                                let __at = #rt::ops::element_name(#name, __k, &#outer);
                                #rt::ops::check_matrix_constraint(&__at, #which, &__mat[..])?;
                            }
                        }
                    }
                });
            }
            if let Some(c) = d.vector_constraint {
                let name = self.name_str(d.var);
                let which = c.type_name();
                let place = self.var_place(d.var);
                let arrays = d.sizes.array_dims.len();
                let rows = flat_iter(&place, arrays, false);
                out.push(if arrays == 0 {
                    quote!(#rt::ops::check_vector_constraint(#name, #which, &#place[..])?;)
                } else {
                    let outer = dims_of_place(&place, arrays);
                    quote! {
                        for (__k, __row) in #rows.enumerate() {
                            if #rt::ops::check_vector_constraint(#name, #which, &__row[..]).is_err()
                            {
                                let __at = #rt::ops::element_name(#name, __k, &#outer);
                                #rt::ops::check_vector_constraint(&__at, #which, &__row[..])?;
                            }
                        }
                    }
                });
            }
            let TConstraint::Bounds { lower, upper } = &d.constraint else {
                continue;
            };
            let name = self.name_str(d.var);
            let place = self.var_place(d.var);
            let bound = |g: &mut Self, b: &Option<TExpr>, inf: TokenStream| match b {
                Some(e) => g.scalar(e, Kind::Data),
                None => inf,
            };
            let lo = bound(self, lower, quote!(f64::NEG_INFINITY));
            let hi = bound(self, upper, quote!(f64::INFINITY));
            let info = self.info(d.var);
            let levels = info.ty.levels();
            let kind = kind_of(&info.ty, info.ad);
            let conv = |v: TokenStream| {
                if kind == Kind::Int {
                    quote!(&[#v as f64])
                } else {
                    quote!(::std::slice::from_ref(&#v))
                }
            };
            out.push(match levels {
                0 => {
                    let slice = conv(place);
                    quote!(#rt::ops::check_bounds(#name, #slice, #lo, #hi)?;)
                }
                1 if kind == Kind::Int => quote! {
                    for __v in #place.iter() {
                        #rt::ops::check_bounds(#name, &[*__v as f64], #lo, #hi)?;
                    }
                },
                1 => quote!(#rt::ops::check_bounds(#name, &#place[..], #lo, #hi)?;),
                _ if kind == Kind::Int => {
                    let leaves = flat_iter(&place, levels, false);
                    let dims = dims_of_place(&place, levels);
                    quote! {
                        let __dims = #dims;
                        for (__k, __v) in #leaves.enumerate() {
                            let __x = [*__v as f64];
                            #rt::ops::check_bounds_at(#name, __k, &__dims, &__x, #lo, #hi)?;
                        }
                    }
                }
                _ => {
                    let rows = flat_iter(&place, levels - 1, false);
                    let dims = dims_of_place(&place, levels);
                    quote! {
                        let __dims = #dims;
                        for (__k, __row) in #rows.enumerate() {
                            #rt::ops::check_bounds_at(#name, __k, &__dims, &__row[..], #lo, #hi)?;
                        }
                    }
                }
            });
        }
        out
    }

    fn outputs(&self) -> Vec<(VarId, BlockKind)> {
        let p = self.p;
        let mut out: Vec<(VarId, BlockKind)> =
            p.parameters.iter().map(|d| (d.var, BlockKind::Parameters)).collect();
        out.extend(
            Program::block_decls(&p.transformed_parameters)
                .map(|d| (d.var, BlockKind::TransformedParameters)),
        );
        out.extend(
            Program::block_decls(&p.generated).map(|d| (d.var, BlockKind::GeneratedQuantities)),
        );
        out
    }

    fn decl_of(&self, id: VarId) -> &'p TDecl {
        let p: &'p Program = self.p;
        p.parameters
            .iter()
            .chain(Program::block_decls(&p.transformed_parameters))
            .chain(Program::block_decls(&p.generated))
            .find(|d| d.var == id)
            .expect("outputs are block-level declarations")
    }

    fn output_shape(&mut self, id: VarId) -> TokenStream {
        let name = self.name_str(id);
        let d = self.decl_of(id);
        let dims = self.dims(id, &d.sizes);
        quote!((#name.to_string(), ::std::vec![#(#dims),*]))
    }

    fn write_output(&mut self, id: VarId) -> TokenStream {
        let rt = rt();
        let info = self.info(id);
        let place = self.var_place(id);
        let kind = kind_of(&info.ty, info.ad);
        let levels = info.ty.levels();
        match (levels, kind) {
            (0, Kind::Int) => quote!(#rt::ops::write_scalar(out, &mut __out, #place as f64);),
            (0, _) => quote!(#rt::ops::write_scalar(out, &mut __out, #rt::Scalar::value(&#place));),
            (1, Kind::Int) => quote!(#rt::ops::write_ints(out, &mut __out, &#place[..]);),
            (1, _) => quote!(#rt::ops::write_slice(out, &mut __out, &#place[..]);),
            (3.., _) => {
                let leaves = flat_iter(&place, levels, false);
                let dims = dims_of_place(&place, levels);
                let value = if kind == Kind::Int {
                    quote!(*__x as f64)
                } else {
                    quote!(#rt::Scalar::value(__x))
                };
                quote! {
                    let __dims = #dims;
                    #rt::ops::write_row_major(out, &mut __out, &__dims, #leaves.map(|__x| #value));
                }
            }
            (_, Kind::Int) => quote! {
                {
                    let __n = #place.len();
                    for (__i, __row) in #place.iter().enumerate() {
                        for (__j, __x) in __row.iter().enumerate() {
                            out[__out + __j * __n + __i] = *__x as f64;
                        }
                    }
                    __out += __n * #place.first().map_or(0, |r| r.len());
                }
            },
            _ => quote! {
                let __cols = #place.first().map_or(0, |r| r.len());
                #rt::ops::write_nested(out, &mut __out, &#place[..], __cols);
            },
        }
    }

    fn stmts(&mut self, stmts: &[TStmt], _block: BlockKind) -> Vec<TokenStream> {
        stmts.iter().map(|s| self.stmt(s)).collect()
    }

    fn block(&mut self, stmts: &[TStmt]) -> TokenStream {
        let inner: Vec<TokenStream> = stmts.iter().map(|s| self.stmt(s)).collect();
        quote!({ #(#inner)* })
    }

    fn truthy(&mut self, e: &TExpr) -> TokenStream {
        let rt = rt();
        let k = kind_of(&e.ty, e.ad);
        let v = self.scalar(e, k);
        match k {
            Kind::Int => quote!((#v != 0)),
            Kind::Data => quote!((#v != 0.0)),
            Kind::Var => quote!((#rt::Scalar::value(&#v) != 0.0)),
        }
    }

    fn stmt(&mut self, s: &TStmt) -> TokenStream {
        crate::deep(|| self.stmt_here(s))
    }

    fn stmt_here(&mut self, s: &TStmt) -> TokenStream {
        let rt = rt();
        match s {
            TStmt::Decl(d) => self.decl(d),
            TStmt::Block(b) => self.block(b),
            TStmt::Break => quote!(break;),
            TStmt::Continue => quote!(continue;),
            TStmt::TargetPlus(e, place) if !e.ty.is_scalar() => {
                let mut prelude = Vec::new();
                let a = self.arg(e, &mut prelude);
                let code = quote!({ #(#prelude)* *__target += #rt::math::sum::<__S>(#a); });
                self.explained(code, place)
            }
            TStmt::TargetPlus(e, place) => {
                let v = self.scalar(e, Kind::Var);
                self.explained(quote!(*__target += #v;), place)
            }
            TStmt::Tilde { lhs, dist, args, truncation: Some(t), place } => {
                let code = self.truncated_tilde(lhs, dist, args, t);
                self.explained(code, place)
            }
            TStmt::Tilde { lhs, dist, args, truncation: None, place } => {
                let all: Vec<&TExpr> = std::iter::once(lhs).chain(args).collect();
                let (prelude, call) = self.density_call(dist, true, &all, Kind::Var);
                self.explained(quote!({ #(#prelude)* *__target += #call; }), place)
            }
            TStmt::For { var, lower, upper, body } => {
                let ident = var_ident(self.info(*var));
                let lo = self.scalar(lower, Kind::Int);
                let hi = self.scalar(upper, Kind::Int);
                let body = self.block(body);
                quote! {
                    {
                        let __lo: i64 = #lo;
                        let __hi: i64 = #hi;
                        for #ident in __lo..=__hi #body
                    }
                }
            }
            TStmt::ForEach { var, container, body } => self.for_each(*var, container, body),
            TStmt::While { cond, body } => {
                let c = self.truthy(cond);
                let body = self.block(body);
                quote!(while #c #body)
            }
            TStmt::If { cond, then, otherwise } => {
                let c = self.truthy(cond);
                let then = self.block(then);
                let otherwise = self.block(otherwise);
                quote!(if #c #then else #otherwise)
            }
            TStmt::Print(args) => {
                let build = self.message(args);
                quote!({ #build ::std::println!("{}", __msg); })
            }
            TStmt::Reject(args, place) => {
                let build = self.message(args);
                let err = quote!(#rt::ModelError::recoverable(__msg));
                let code = quote!({ #build return Err(::std::convert::Into::into(#err)); });
                self.named(code, place)
            }
            TStmt::FatalError(args, place) => {
                let build = self.message(args);
                let err = quote!(#rt::ModelError::fatal(__msg));
                let code = quote!({ #build return Err(::std::convert::Into::into(#err)); });
                self.named(code, place)
            }
            TStmt::Assign { target, op, value, place } => {
                let code = self.assign(target, *op, value);
                self.named(code, place)
            }
            TStmt::Call(e, place) => {
                let call = self.user_call(e);
                self.named(quote!(#call;), place)
            }
            TStmt::Return(None) => quote!(return Ok(());),
            TStmt::Return(Some(e)) => {
                let ret = self.current_ret.clone().expect("checked: return is inside a function");
                if ret.is_scalar() {
                    let v = self.scalar(e, kind_of(&ret, true));
                    quote!(return Ok(#v);)
                } else if ret.levels() >= 2 {
                    // A matrix or nested array: evaluated into a place, then copied into the
                    // caller's own value with the function's scalar type.
                    let want = kind_of(&ret, true);
                    let mut pre = Vec::new();
                    let place = self.matrix_place(e, &mut pre);
                    let conv = convert(quote!(*__x), kind_of(&e.ty, e.ad), want);
                    let mut copy = quote!(__r.iter().map(|__x| #conv).collect());
                    for _ in 2..ret.levels() {
                        copy = quote!(__r.iter().map(|__r| #copy).collect());
                    }
                    quote!({
                        #(#pre)*
                        return Ok((#place).iter().map(|__r| #copy).collect());
                    })
                } else {
                    let want = kind_of(&ret, true);
                    if self.is_place(e) && kind_of(&e.ty, e.ad) == want {
                        // A variable of the function, possibly a reference to its buffer: the
                        // caller gets its own copy.
                        let p = self.container_place(e);
                        return quote!(return Ok((#p).to_vec()););
                    }
                    let (pre, v) = self.materialize_as(e, want);
                    quote!({ #(#pre)* return Ok(#v); })
                }
            }
        }
    }

    /// `for (x in container)`: the elements of an array or vector, or the entries of a matrix
    /// in column-major order, as in Stan. The container is evaluated once, unless the body
    /// assigns to the variable it comes from: then each element is read (and a container
    /// element copied) as the loop reaches it, so that it sees the body's writes.
    fn for_each(&mut self, var: VarId, container: &TExpr, body: &[TStmt]) -> TokenStream {
        let ident = var_ident(self.info(var));
        let mut read = Vec::new();
        container.for_each_var(&mut |v| read.push(v));
        let written = writes_any(body, &read);
        let slice = self.container_slice(container);
        let body = self.block(body);
        let matrix = container.ty == Ty::Matrix;
        let elem_is_container = !self.info(var).ty.is_scalar();
        // `__c` is the container, `__at` the position of the element `__k`.
        let (setup, c) = if written {
            (quote!(), quote!((#slice)))
        } else {
            (quote!(let __c = #slice;), quote!(__c))
        };
        let (count, at) = if matrix {
            (
                quote! {
                    let __nr = #c.len();
                    let __n = __nr * #c.first().map_or(0, |__r| __r.len());
                },
                quote!([__k % __nr][__k / __nr]),
            )
        } else {
            (quote!(let __n = #c.len();), quote!([__k]))
        };
        let bind = match (elem_is_container, written) {
            (false, _) => quote!(let #ident = #c #at;),
            (true, false) => quote!(let #ident = &#c #at;),
            (true, true) => quote!(let #ident = #c #at.clone();),
        };
        quote! {
            {
                #setup
                #count
                for __k in 0..__n {
                    #bind
                    #body
                }
            }
        }
    }

    /// `y ~ family(...) T[L, U]`: the density minus the log probability between the bounds,
    /// or `-inf` for an outcome outside them. Checking made every operand a scalar, so each is
    /// evaluated once into a local that the density and the CDFs share.
    fn truncated_tilde(
        &mut self,
        lhs: &TExpr,
        dist: &DistCall,
        args: &[TExpr],
        t: &TTruncation,
    ) -> TokenStream {
        let rt = rt();
        let mut prelude = Vec::new();
        // (the operand as a distribution argument, its value as an f64)
        let mut hoist = |g: &mut Self, e: &TExpr| {
            let kind = kind_of(&e.ty, e.ad);
            let v = g.scalar(e, kind);
            let h = g.fresh("t");
            prelude.push(quote!(let #h = #v;));
            let wrapped = match kind {
                Kind::Var => quote!(#rt::math::args::Var(#h)),
                _ => quote!(#rt::math::args::Data(#h)),
            };
            (wrapped, convert(quote!(#h), kind, Kind::Data))
        };
        let (y, y_value) = hoist(self, lhs);
        let params: Vec<TokenStream> = args.iter().map(|a| hoist(self, a).0).collect();
        let mut lower = t.lower.as_ref().map(|e| hoist(self, e));
        let upper = t.upper.as_ref().map(|e| hoist(self, e));
        if dist.suffix == "lpmf" {
            // For a count, P(Y >= L) is the upper tail beyond L - 1, as in Stan.
            if let Some((wrapped, _)) = &mut lower {
                let below = self.fresh("below");
                prelude.push(quote!(let #below = #wrapped.0 - 1;));
                *wrapped = quote!(#rt::math::args::Data(#below));
            }
        }
        let family = &dist.family;
        let density = format_ident!("{}_{}", family, dist.suffix);
        let cdf = |which: &str, at: &TokenStream| {
            let f = format_ident!("{}_{}", family, which);
            quote!(#rt::dist::#f::<__S>(#at, #(#params),*))
        };
        let mut outside = Vec::new();
        if let Some((_, v)) = &lower {
            outside.push(quote!(#y_value < #v));
        }
        if let Some((_, v)) = &upper {
            outside.push(quote!(#y_value > #v));
        }
        let log_mass = match (&lower, &upper) {
            (Some((l, _)), Some((u, _))) => {
                let (lcdf_l, lcdf_u) = (cdf("lcdf", l), cdf("lcdf", u));
                let (lccdf_l, lccdf_u) = (cdf("lccdf", l), cdf("lccdf", u));
                quote!(#rt::dist::log_mass_between(
                    #family, || #lcdf_l, || #lcdf_u, || #lccdf_l, || #lccdf_u
                )?)
            }
            (Some((l, _)), None) => {
                let c = cdf("lccdf", l);
                quote!(#rt::dist::log_mass(#family, #c?)?)
            }
            (None, Some((u, _))) => {
                let c = cdf("lcdf", u);
                quote!(#rt::dist::log_mass(#family, #c?)?)
            }
            (None, None) => quote!(<__S as #rt::Scalar>::from_f64(0.0)),
        };
        let outside = if outside.is_empty() { quote!(false) } else { quote!(#(#outside)||*) };
        quote! {{
            #(#prelude)*
            if #outside {
                *__target += f64::NEG_INFINITY;
            } else {
                *__target += #rt::dist::#density::<true, __S>(#y, #(#params),*)?;
                *__target -= #log_mass;
            }
        }}
    }

    /// A statement that adds to the log density; in explaining mode it runs in a closure so that
    /// its error, or a log density that it leaves non-finite, names it.
    fn explained(&self, code: TokenStream, place: &crate::syntax::Place) -> TokenStream {
        let check = format_ident!("explain_statement");
        self.in_statement(code, place, check, quote!(*__target,))
    }

    /// A statement that may fail; in explaining mode it runs in a closure so that its error
    /// names it. Its code must not bind names that later statements use.
    fn named(&self, code: TokenStream, place: &crate::syntax::Place) -> TokenStream {
        self.in_statement(code, place, format_ident!("name_statement"), TokenStream::new())
    }

    /// In explaining mode, `code` run in a closure whose outcome goes to `ops::<check>` with
    /// the `extra` arguments (each followed by a comma) and the statement's text and line.
    fn in_statement(
        &self,
        code: TokenStream,
        place: &crate::syntax::Place,
        check: Ident,
        extra: TokenStream,
    ) -> TokenStream {
        if !self.explain {
            return code;
        }
        let rt = rt();
        let (text, line) = (&place.text, place.line);
        quote!({
            let __outcome = (|| -> ::std::result::Result<(), #rt::ModelError> {
                #code
                Ok(())
            })();
            #rt::ops::#check(__outcome, #extra #text, #line)?;
        })
    }

    fn message(&mut self, args: &[TPrintArg]) -> TokenStream {
        let rt = rt();
        let mut parts = Vec::new();
        for a in args {
            parts.push(match a {
                TPrintArg::Str(s) => quote!(__msg.push_str(#s);),
                TPrintArg::Expr(e) => {
                    let k = kind_of(&e.ty, e.ad);
                    if e.ty.is_scalar() {
                        let v = self.scalar(e, k);
                        if k == Kind::Int {
                            quote!(#rt::ops::print_int(&mut __msg, #v);)
                        } else {
                            quote!(#rt::ops::print_real(&mut __msg, #v);)
                        }
                    } else if e.ty.levels() >= 2 {
                        let place = self.container_place(e);
                        let f =
                            if k == Kind::Int { quote!(print_ints2) } else { quote!(print_reals2) };
                        // Outer levels are brackets around the two-level parts.
                        let mut code = quote!(#rt::ops::#f(&mut __msg, &__e[..]););
                        for _ in 2..e.ty.levels() {
                            code = quote! {
                                __msg.push('[');
                                for (__k, __e) in __e.iter().enumerate() {
                                    if __k > 0 {
                                        __msg.push(',');
                                    }
                                    #code
                                }
                                __msg.push(']');
                            };
                        }
                        quote!({ let __e = &#place; #code })
                    } else {
                        let (pre, vec) = self.materialize(e);
                        let f =
                            if k == Kind::Int { quote!(print_ints) } else { quote!(print_reals) };
                        quote!({ #(#pre)* #rt::ops::#f(&mut __msg, &#vec[..]); })
                    }
                }
            });
        }
        quote!(let mut __msg = ::std::string::String::new(); #(#parts)*)
    }

    fn decl(&mut self, d: &TDecl) -> TokenStream {
        let rt = rt();
        let id = d.var;
        let info = self.info(id);
        let ident = var_ident(info);
        let kind = kind_of(&info.ty, info.ad);
        let ty = info.ty.clone();
        let dims = self.dims(id, &d.sizes);
        let fill = nan(kind);
        // The binding, then what may fail: the sizes and the initial value.
        let (binding, storage) = if dims.is_empty() {
            let st = scalar_type(kind);
            (quote!(let mut #ident: #st = #fill;), quote!())
        } else {
            let name = self.name_str(id);
            let st = scalar_type(kind);
            let resize = if dims.len() == 1 {
                let n = &dims[0];
                quote! {
                    let __n = #n;
                    #rt::ops::check_alloc(#name, &[__n], ::std::mem::size_of::<#st>())?;
                    #rt::ops::resize(&mut *#ident, __n, #fill);
                }
            } else {
                let nd = dims.len();
                let names: Vec<TokenStream> = (0..nd).map(|k| quote!(__dims[#k])).collect();
                let resize = resize_levels(quote!(#ident), &names, Some(&fill));
                quote! {
                    let __dims: [usize; #nd] = [#(#dims),*];
                    #rt::ops::check_alloc(#name, &__dims, ::std::mem::size_of::<#st>())?;
                    #resize
                }
            };
            if self.ctx != Ctx::Method {
                let owner = format_ident!("__own_{}", ident);
                let cty = self.container_type(&ty, scalar_type(kind));
                let binding = quote! {
                    let mut #owner: #cty = ::std::vec::Vec::new();
                    let #ident = &mut #owner;
                };
                (binding, resize)
            } else {
                let field = self.ws_field(id);
                (quote!(let #ident = &mut ws.#field;), resize)
            }
        };
        let init = match &d.init {
            None => quote!(),
            Some(e) => {
                let lv = TLValue { var: id, indices: Vec::new(), part: None, ty: ty.clone() };
                self.assign(&lv, AssignOp::Set, e)
            }
        };
        if storage.is_empty() && init.is_empty() {
            return binding;
        }
        let fallible = self.named(quote!({ #storage #init }), &d.place);
        quote!(#binding #fallible)
    }

    /// Whether `e` reads variable `id`.
    fn mentions(e: &TExpr, id: VarId) -> bool {
        let mut found = false;
        e.for_each_var(&mut |v| found |= v == id);
        found
    }

    fn assign(&mut self, target: &TLValue, op: AssignOp, value: &TExpr) -> TokenStream {
        let rt = rt();
        let info = self.info(target.var);
        let name = info.name.to_string();
        let place = self.var_place(target.var);
        let tkind = kind_of(&target.ty, info.ad);
        let levels = target.ty.levels();
        // The place, reached through checked indices.
        let mut path = quote!(#place);
        let mut index_pre = Vec::new();
        for (k, idx) in target.indices.iter().enumerate() {
            let i = self.scalar(idx, Kind::Int);
            let h = format_ident!("__idx{}", k);
            index_pre.push(quote!(let #h: i64 = #i;));
            path = quote!((*#rt::ops::at_mut(&mut #path[..], #h, #name)?));
        }
        if let Some(TPart::Pick { rows, cols }) = &target.part {
            return self.assign_pick(target, rows, cols.as_deref(), op, value, index_pre);
        }
        if let Some(part) = &target.part
            && levels <= 2
        {
            return self.assign_part(target, part, op, value, path, index_pre);
        }
        if levels == 0 {
            let v = self.scalar(value, tkind);
            let code = match (op, tkind) {
                (AssignOp::Set, _) => quote!(#path = __v;),
                (AssignOp::Add, Kind::Int) => quote!(#path = #rt::ops::iadd(#path, __v)?;),
                (AssignOp::Sub, Kind::Int) => quote!(#path = #rt::ops::isub(#path, __v)?;),
                (AssignOp::Mul, Kind::Int) => quote!(#path = #rt::ops::imul(#path, __v)?;),
                (AssignOp::Div, Kind::Int) => quote!(#path = #rt::ops::idiv(#path, __v)?;),
                (AssignOp::Add, _) => quote!(#path += __v;),
                (AssignOp::Sub, _) => quote!(#path -= __v;),
                (AssignOp::Mul | AssignOp::EltMul, _) => quote!(#path *= __v;),
                (AssignOp::Div | AssignOp::EltDiv, _) => quote!(#path /= __v;),
            };
            return quote!({ let __v = #v; #(#index_pre)* #code });
        }
        if levels >= 2 || value.ty.levels() >= 2 {
            let conv = convert(quote!(__x), kind_of(&value.ty, value.ad), tkind);
            let combine = match op {
                AssignOp::Set => quote!(*__y = #conv;),
                AssignOp::Add => quote!(*__y = *__y + #conv;),
                AssignOp::Sub => quote!(*__y = *__y - #conv;),
                AssignOp::Mul | AssignOp::EltMul => quote!(*__y = *__y * #conv;),
                AssignOp::Div | AssignOp::EltDiv => quote!(*__y = *__y / #conv;),
            };
            if value.ty.is_scalar() {
                // `m *= x` and the like: the scalar applies to every entry.
                let v = self.scalar(value, kind_of(&value.ty, value.ad));
                return quote! {{
                    let __x = #v;
                    #(#index_pre)*
                    for __d in (*#path).iter_mut() {
                        for __y in __d.iter_mut() {
                            #combine
                        }
                    }
                }};
            }
            if levels > 2 {
                // Checking made the value a variable or a part of one; it is copied first only
                // if it may be the target itself.
                let place = self.container_place(value);
                let src = if Self::mentions(value, target.var) {
                    quote!(&(#place).to_vec())
                } else {
                    quote!(&#place)
                };
                let mut copy = quote!(for (__y, __x) in __d.iter_mut().zip(__s.iter()) {
                    let __x = *__x;
                    #combine
                });
                for _ in 1..levels {
                    copy = quote! {
                        #rt::ops::assign_len(#name, __d.len(), __s.len())?;
                        for (__d, __s) in __d.iter_mut().zip(__s.iter()) {
                            #copy
                        }
                    };
                }
                if let Some(TPart::Range(lo, hi)) = &target.part {
                    // `a[2:3] = b`: the range of the target, then the same copy.
                    let lo = match lo {
                        Some(e) => self.scalar(e, Kind::Int),
                        None => quote!(1i64),
                    };
                    let hi = match hi {
                        Some(e) => self.scalar(e, Kind::Int),
                        None => quote!((__whole.len() as i64)),
                    };
                    return quote! {{
                        #(#index_pre)*
                        let __lo: i64 = #lo;
                        let __s = #src;
                        let __whole = &mut *#path;
                        let __hi: i64 = #hi;
                        let __d = #rt::ops::range_mut(&mut __whole[..], __lo, __hi, #name)?;
                        #rt::ops::assign_part_len("range", #name, __d.len(), __s.len())?;
                        #copy
                    }};
                }
                return quote! {{
                    #(#index_pre)*
                    let __s = #src;
                    let __d = &mut *#path;
                    #copy
                }};
            }
            let mut pre = Vec::new();
            // A variable may be the target itself, so it is copied first; a computed matrix
            // lives in a temporary, which cannot alias the target.
            let src = if let TExprKind::Ode(call) = &value.kind {
                self.ode_call(call, value.ad)
            } else if self.is_place(value) {
                let place = self.container_place(value);
                quote!(#place.clone())
            } else {
                let place = self.matrix_place(value, &mut pre);
                quote!(&#place[..])
            };
            return quote! {{
                #(#index_pre)*
                #(#pre)*
                let __src = #src;
                let __dst = &mut *#path;
                #rt::ops::assign_len(#name, __dst.len(), __src.len())?;
                for (__d, __s) in __dst.iter_mut().zip(__src.iter()) {
                    #rt::ops::assign_len(#name, __d.len(), __s.len())?;
                    for (__y, __x) in __d.iter_mut().zip(__s.iter()) {
                        let __x = *__x;
                        #combine
                    }
                }
            }};
        }
        let plan = self.plan(value);
        let elem = convert(plan.elem.clone(), plan.kind, tkind);
        let prelude = &plan.prelude;
        let aliased = Self::mentions(value, target.var);
        let combine = |cur: TokenStream, v: TokenStream| match op {
            AssignOp::Set => v,
            AssignOp::Add => quote!(#cur + #v),
            AssignOp::Sub => quote!(#cur - #v),
            AssignOp::Mul | AssignOp::EltMul => quote!(#cur * #v),
            AssignOp::Div | AssignOp::EltDiv => quote!(#cur / #v),
        };
        let body = combine(quote!(__dst[__i]), quote!(__val));
        let len = match &plan.len {
            Some(l) => quote!(#rt::ops::assign_len(#name, __dst.len(), #l)?;),
            None => quote!(),
        };
        if aliased {
            let st = scalar_type(tkind);
            let n = plan.len.clone().unwrap_or_else(|| quote!(__dst.len()));
            quote! {{
                #(#index_pre)*
                #(#prelude)*
                let __n: usize = #n;
                let __tmp: ::std::vec::Vec<#st> = (0..__n).map(|__i| #elem).collect();
                let __dst = &mut *#path;
                #rt::ops::assign_len(#name, __dst.len(), __n)?;
                for __i in 0..__n {
                    let __val = __tmp[__i];
                    __dst[__i] = #body;
                }
            }}
        } else {
            quote! {{
                #(#index_pre)*
                #(#prelude)*
                let __dst = &mut *#path;
                #len
                for __i in 0..__dst.len() {
                    let __val = #elem;
                    __dst[__i] = #body;
                }
            }}
        }
    }

    /// Assignment to a range, multi-index or column of the container at `path`, element by
    /// element, with the part's size and indices checked at run time.
    fn assign_part(
        &mut self,
        target: &TLValue,
        part: &TPart,
        op: AssignOp,
        value: &TExpr,
        path: TokenStream,
        mut pre: Vec<TokenStream>,
    ) -> TokenStream {
        let rt = rt();
        let info = self.info(target.var);
        let name = info.name.to_string();
        let tkind = kind_of(&target.ty, info.ad);
        let what = part.describe();
        // The part's length and a `&mut` to its element `__i`, given `__dst`, the whole
        // container.
        let (setup, len, place) = match part {
            TPart::Range(lo, hi) => {
                let lo = match lo {
                    Some(e) => self.scalar(e, Kind::Int),
                    None => quote!(1i64),
                };
                pre.push(quote!(let __lo: i64 = #lo;));
                // An absent upper bound is the container's end.
                let end = match hi {
                    Some(e) => {
                        let hi = self.scalar(e, Kind::Int);
                        pre.push(quote!(let __hi: i64 = #hi;));
                        quote!()
                    }
                    None => quote!(let __hi = __dst.len() as i64;),
                };
                (
                    quote! {
                        #end
                        let __part = #rt::ops::range_mut(&mut __dst[..], __lo, __hi, #name)?;
                    },
                    quote!(__part.len()),
                    quote!(&mut __part[__i]),
                )
            }
            TPart::Multi(idx) => {
                let slice = self.container_slice(idx);
                // An index array that is the target itself must be copied before the target
                // is borrowed for writing.
                let copy =
                    if Self::mentions(idx, target.var) { quote!(.to_vec()) } else { quote!() };
                pre.push(quote!(let __mi = (#slice)#copy;));
                (
                    quote!(),
                    quote!(__mi.len()),
                    quote!(#rt::ops::at_mut(&mut __dst[..], __mi[__i], #name)?),
                )
            }
            TPart::Pick { .. } => unreachable!("parts of two-level containers go to assign_pick"),
        };
        let plan = self.plan(value);
        let elem = convert(plan.elem.clone(), plan.kind, tkind);
        let prelude = &plan.prelude;
        // The value's length is taken before the target is borrowed for writing, since it may
        // be the length of the target itself.
        let (vlen, check) = match &plan.len {
            Some(l) => (
                quote!(let __vlen: usize = #l;),
                quote!(#rt::ops::assign_part_len(#what, #name, __n, __vlen)?;),
            ),
            None => (quote!(), quote!()),
        };
        let combine = match op {
            AssignOp::Set => quote!(__val),
            AssignOp::Add => quote!(*__p + __val),
            AssignOp::Sub => quote!(*__p - __val),
            AssignOp::Mul | AssignOp::EltMul => quote!(*__p * __val),
            AssignOp::Div | AssignOp::EltDiv => quote!(*__p / __val),
        };
        // A value that reads the target is evaluated whole before the target is written, so
        // that `x[2:4] = x[1:3]` reads the old elements.
        let (tmp, val) = if Self::mentions(value, target.var) {
            let st = scalar_type(tkind);
            let (n, at) = match &plan.len {
                Some(_) => (quote!(__vlen), quote!(__i)),
                None => (quote!(1usize), quote!(0)),
            };
            (
                quote!(let __tmp: ::std::vec::Vec<#st> = (0..#n).map(|__i| #elem).collect();),
                quote!(__tmp[#at]),
            )
        } else {
            (quote!(), elem)
        };
        quote! {{
            #(#pre)*
            #(#prelude)*
            #vlen
            #tmp
            let __dst = &mut *#path;
            #setup
            let __n: usize = #len;
            #check
            for __i in 0..__n {
                let __val = #val;
                let __p = #place;
                *__p = #combine;
            }
        }}
    }

    /// Assignment to rows and columns of a two-level variable (`m[2:3] = m2`, `m[idx, j] = v`,
    /// `av[:, 1:2] = b`), entry by entry, with the indices and the value's shape checked at run
    /// time. A value that reads the target is evaluated whole first.
    fn assign_pick(
        &mut self,
        target: &TLValue,
        rows: &PickIndex,
        cols: Option<&PickIndex>,
        op: AssignOp,
        value: &TExpr,
        mut pre: Vec<TokenStream>,
    ) -> TokenStream {
        let rt = rt();
        let info = self.info(target.var);
        let name = info.name.to_string();
        let tkind = kind_of(&target.ty, info.ad);
        let vkind = kind_of(&value.ty, value.ad);
        let place = self.var_place(target.var);
        let aliased = Self::mentions(value, target.var);
        let rows = self.pick_index_owned(rows, &mut pre, target.var);
        let cols = match cols {
            Some(c) => self.pick_index_owned(c, &mut pre, target.var),
            None => quote!(#rt::ops::Sel::All),
        };
        // The value's shape as `__vshape` (none for a scalar, which applies to every entry) and
        // its entry `(__i, __l)`.
        let (setup, entry) = if value.ty.is_scalar() {
            let v = self.scalar(value, tkind);
            (quote!(let __x = #v; let __vshape = None;), quote!(__x))
        } else if value.ty.levels() == 2 {
            let src = self.matrix_place(value, &mut pre);
            let copy = if aliased && self.is_place(value) {
                quote!(let __own_src = (#src).clone(); let __src = &__own_src[..];)
            } else {
                quote!(let __src = &#src[..];)
            };
            let setup = quote! {
                #copy
                let __vshape = Some((__src.len(), __src.first().map_or(0, |__r| __r.len())));
            };
            (setup, convert(quote!(__src[__i][__l]), vkind, tkind))
        } else {
            let plan = self.plan(value);
            pre.extend(plan.prelude);
            let len = plan.len.unwrap_or_else(|| quote!(1usize));
            let elem = convert(plan.elem, plan.kind, tkind);
            let st = scalar_type(tkind);
            if aliased {
                let setup = quote! {
                    let __vlen: usize = #len;
                    let __tmp: ::std::vec::Vec<#st> = (0..__vlen).map(|__i| #elem).collect();
                    let __vshape = Some((__vlen, 1usize));
                };
                (setup, quote!(__tmp[__i]))
            } else {
                (quote!(let __vshape = Some((#len, 1usize));), elem)
            }
        };
        let one_level = target.ty.levels() == 1;
        let combine = match op {
            AssignOp::Set => quote!(__val),
            AssignOp::Add => quote!(*__p + __val),
            AssignOp::Sub => quote!(*__p - __val),
            AssignOp::Mul | AssignOp::EltMul => quote!(*__p * __val),
            AssignOp::Div | AssignOp::EltDiv => quote!(*__p / __val),
        };
        quote! {{
            #(#pre)*
            let __rows = #rows;
            let __cols = #cols;
            #setup
            let __dst = &mut *#place;
            let (__nr, __nc) = #rt::ops::pick_shape(
                &__dst[..], __rows, __cols, #name, __vshape, #one_level)?;
            for __i in 0..__nr {
                let __row = &mut __dst[__rows.at(__i)];
                for __l in 0..__nc {
                    let __val = #entry;
                    let __p = &mut __row[__cols.at(__l)];
                    *__p = #combine;
                }
            }
        }}
    }

    /// Like [`Gen::pick_index`], with an index array that reads the variable `target` copied
    /// first, so that `target` can then be borrowed for writing.
    fn pick_index_owned(
        &mut self,
        p: &PickIndex,
        prelude: &mut Vec<TokenStream>,
        target: VarId,
    ) -> TokenStream {
        let rt = rt();
        match p {
            PickIndex::Multi(e) if Self::mentions(e, target) => {
                let (pre, v) = self.materialize_as(e, Kind::Int);
                prelude.extend(pre);
                let h = self.fresh("idx");
                prelude.push(quote!(let #h: ::std::vec::Vec<i64> = (#v)[..].to_vec();));
                quote!(#rt::ops::Sel::Multi(&#h[..]))
            }
            _ => self.pick_index(p, prelude),
        }
    }

    /// A `&[T]` view of a container variable or of an indexed element that is a container.
    fn container_slice(&mut self, e: &TExpr) -> TokenStream {
        let place = self.container_place(e);
        quote!(&#place[..])
    }

    /// The place of a container variable, or of an indexed element that is a container.
    fn container_place(&mut self, e: &TExpr) -> TokenStream {
        let rt = rt();
        if let Some(place) = self.root(e) {
            return place;
        }
        match &e.kind {
            TExprKind::Var(id) => self.var_place(*id),
            TExprKind::Index(base, idx) if self.is_place(base) => {
                let name = Self::root_name(self.p, base);
                let mut path = self.container_place(base);
                for i in idx {
                    let i = self.scalar(i, Kind::Int);
                    path = quote!((*#rt::ops::at_ref(&#path[..], #i, #name)?));
                }
                path
            }
            TExprKind::Slice { base, lower, upper } if self.is_place(base) => {
                let name = Self::root_name(self.p, base);
                let inner = self.container_place(base);
                let lo = match lower {
                    Some(e) => self.scalar(e, Kind::Int),
                    None => quote!(1i64),
                };
                let hi = match upper {
                    Some(e) => self.scalar(e, Kind::Int),
                    None => quote!((#inner.len() as i64)),
                };
                quote!((*#rt::ops::range(&#inner[..], #lo, #hi, #name)?))
            }
            TExprKind::ArrayLit(items) if e.ty.levels() > 2 => {
                // Each element copied into a new array, with the literal's scalar type.
                let want = kind_of(&e.ty, e.ad);
                let elems: Vec<TokenStream> =
                    items.iter().map(|item| self.owned_copy(item, want)).collect();
                quote!({
                    let __items: ::std::vec::Vec<_> = ::std::vec![#(#elems),*];
                    #rt::ops::check_rectangular(&__items[..], "the elements of an array literal")?;
                    __items
                })
            }
            TExprKind::Elementwise(f, a) if e.ty.levels() > 2 => {
                let want = if a.ad { Kind::Var } else { Kind::Data };
                let x = convert(quote!(*__x), kind_of(&a.ty, a.ad), want);
                let leaf = elementwise_call(*f, x);
                self.owned_map(a, leaf)
            }
            TExprKind::Ternary(c, a, b) if e.ty.levels() > 2 => {
                // Only the chosen branch is evaluated, as in Stan.
                let want = kind_of(&e.ty, e.ad);
                let c = self.truthy(c);
                let (a, b) = (self.owned_copy(a, want), self.owned_copy(b, want));
                quote!((if #c { #a } else { #b }))
            }
            TExprKind::MultiIndex { base, index } if e.ty.levels() > 2 => {
                // Elements of a container nested more than two levels, picked by an index
                // array: copies of them, in a new array.
                let name = Self::root_name(self.p, base);
                let b = self.container_place(base);
                let idx = self.container_slice(index);
                quote!({
                    let __b = &#b;
                    let __mi = #idx;
                    #rt::ops::check_indices(__mi, __b.len(), #name)?;
                    __mi.iter()
                        .map(|&__i| __b[(__i - 1) as usize].clone())
                        .collect::<::std::vec::Vec<_>>()
                })
            }
            _ if e.ty.levels() >= 2 => {
                // The block yields an owned value, which the statement using it keeps alive: a
                // function's result itself, or the temporary's rows moved out of it.
                let mut pre = Vec::new();
                let place = self.matrix_place(e, &mut pre);
                let value = if let TExprKind::UserCall { .. } = e.kind {
                    place
                } else {
                    quote!(::std::mem::take(&mut #place))
                };
                quote!({ #(#pre)* #value })
            }
            _ => {
                // Any other container expression is evaluated into a fresh vector; only
                // printing and loops over expressions take this path.
                let (pre, v) = self.materialize(e);
                quote!({ #(#pre)* #v })
            }
        }
    }

    /// A new nested `Vec` holding the value of the container expression `e`, its scalars
    /// converted to `want`.
    fn owned_copy(&mut self, e: &TExpr, want: Kind) -> TokenStream {
        let conv = convert(quote!(*__x), kind_of(&e.ty, e.ad), want);
        self.owned_map(e, conv)
    }

    /// A new nested `Vec` of the shape of the container expression `e` holding `leaf`, a
    /// function of its scalar `__x` (a reference).
    fn owned_map(&mut self, e: &TExpr, leaf: TokenStream) -> TokenStream {
        let mut pre = Vec::new();
        let place = match e.ty.levels() {
            1 => {
                let (p, v) = self.materialize(e);
                pre.extend(p);
                v
            }
            2 => self.matrix_place(e, &mut pre),
            _ => self.container_place(e),
        };
        let mut copy = quote!(__r.iter().map(|__x| #leaf).collect::<::std::vec::Vec<_>>());
        for _ in 1..e.ty.levels() {
            copy = quote!(__r.iter().map(|__r| #copy).collect::<::std::vec::Vec<_>>());
        }
        quote!({ #(#pre)* let __r = &#place; #copy })
    }

    /// The place registered for `e` by [`Gen::hoist_bases`], if any.
    fn root(&self, e: &TExpr) -> Option<TokenStream> {
        let key: *const TExpr = e;
        self.roots.iter().rev().find(|(k, _)| *k == key).map(|(_, t)| t.clone())
    }

    /// Whether `e` is a place: a variable or an evaluated root, possibly indexed by single
    /// indices and then a range.
    fn is_place(&self, e: &TExpr) -> bool {
        if self.root(e).is_some() {
            return true;
        }
        match &e.kind {
            TExprKind::Var(_) => true,
            TExprKind::Index(b, _) | TExprKind::Slice { base: b, .. } => self.is_place(b),
            _ => false,
        }
    }

    /// For an indexing expression `e` whose root is not a variable (`f(x)[2:3]`,
    /// `(m * v)[i]`), evaluates the root once, by statements pushed onto `prelude`, and
    /// registers where it lives; code generated afterwards indexes that place. Returns the
    /// mark to which [`Gen::roots`] is truncated once that code is generated.
    fn hoist_bases(&mut self, e: &TExpr, prelude: &mut Vec<TokenStream>) -> usize {
        let mark = self.roots.len();
        let mut base = match &e.kind {
            TExprKind::Index(b, _)
            | TExprKind::Slice { base: b, .. }
            | TExprKind::MultiIndex { base: b, .. }
            | TExprKind::Pick { base: b, .. } => &**b,
            _ => return mark,
        };
        loop {
            if self.root(base).is_some() {
                return mark;
            }
            match &base.kind {
                TExprKind::Var(_) => return mark,
                TExprKind::Index(b, _) | TExprKind::Slice { base: b, .. } => base = b,
                _ => break,
            }
        }
        let place = if base.ty.levels() > 2 {
            // Only a function's result or a pick of elements: owned, kept in a local.
            let value = self.container_place(base);
            let h = self.fresh("h");
            prelude.push(quote!(let #h = #value;));
            quote!(#h)
        } else if base.ty.levels() >= 2 {
            self.matrix_place(base, prelude)
        } else {
            let (pre, v) = self.materialize(base);
            prelude.extend(pre);
            v
        };
        self.roots.push((base as *const TExpr, place));
        mark
    }

    /// Evaluates a one-level container expression into a new `Vec`.
    fn materialize(&mut self, e: &TExpr) -> (Vec<TokenStream>, TokenStream) {
        self.materialize_as(e, kind_of(&e.ty, e.ad))
    }

    /// Plans an elementwise evaluation of `e`.
    fn plan(&mut self, e: &TExpr) -> Elem {
        crate::deep(|| self.plan_here(e))
    }

    fn plan_here(&mut self, e: &TExpr) -> Elem {
        let rt = rt();
        let kind = kind_of(&e.ty, e.ad);
        if e.ty.is_scalar() {
            let v = self.scalar(e, kind);
            let h = self.fresh("h");
            return Elem { prelude: vec![quote!(let #h = #v;)], len: None, elem: quote!(#h), kind };
        }
        match &e.kind {
            TExprKind::Transpose(inner) => self.plan(inner),
            TExprKind::Rng { family, args } => {
                // Vectorised: one draw per element, into a new array (random numbers are only
                // drawn outside the log density, where allocating is fine).
                let sig = crate::builtins::distribution(family).expect("checked");
                let mut prelude = Vec::new();
                let mut lens = Vec::new();
                let mut elems = Vec::new();
                for (k, (a, pname)) in args.iter().zip(sig.param_names()).enumerate() {
                    let p = self.plan(a);
                    prelude.extend(p.prelude);
                    lens.push(match p.len {
                        Some(l) => quote!((#pname, Some(#l))),
                        None => quote!((#pname, None)),
                    });
                    let want = if sig.int_param(k) { Kind::Int } else { Kind::Data };
                    elems.push(convert(p.elem, p.kind, want));
                }
                let f = format_ident!("{}_rng", family);
                let fname = f.to_string();
                let st = scalar_type(kind);
                let h = self.fresh("h");
                prelude.push(quote! {
                    let #h: ::std::vec::Vec<#st> = {
                        let __n = #rt::math::common_len(#fname, &[#(#lens),*])?;
                        let mut __draws = ::std::vec::Vec::with_capacity(__n);
                        for __i in 0..__n {
                            __draws.push(#rt::dist::#f(#(#elems,)* &mut *__rng)?);
                        }
                        __draws
                    };
                });
                Elem { prelude, len: Some(quote!(#h.len())), elem: quote!(#h[__i]), kind }
            }
            TExprKind::UserCall { .. } => {
                let call = self.user_call(e);
                let h = self.fresh("h");
                Elem {
                    prelude: vec![quote!(let #h = #call;)],
                    len: Some(quote!(#h.len())),
                    elem: quote!(#h[__i]),
                    kind,
                }
            }
            TExprKind::MultiIndex { base, index } => {
                let name = Self::root_name(self.p, base);
                let mut prelude = Vec::new();
                let mark = self.hoist_bases(e, &mut prelude);
                let b = self.container_slice(base);
                self.roots.truncate(mark);
                let idx = self.container_slice(index);
                let (h, hi) = (self.fresh("h"), self.fresh("idx"));
                prelude.extend([
                    quote!(let #h = #b;),
                    quote!(let #hi = #idx;),
                    quote!(#rt::ops::check_indices(#hi, #h.len(), #name)?;),
                ]);
                Elem {
                    prelude,
                    len: Some(quote!(#hi.len())),
                    elem: quote!(#h[(#hi[__i] - 1) as usize]),
                    kind,
                }
            }
            TExprKind::Var(_) | TExprKind::Index(..) | TExprKind::Slice { .. } => {
                let mut prelude = Vec::new();
                let mark = self.hoist_bases(e, &mut prelude);
                let slice = self.container_slice(e);
                self.roots.truncate(mark);
                let h = self.fresh("h");
                prelude.push(quote!(let #h = #slice;));
                Elem { prelude, len: Some(quote!(#h.len())), elem: quote!(#h[__i]), kind }
            }
            TExprKind::Unary(op, a) => {
                let mut p = self.plan(a);
                let inner = convert(p.elem, p.kind, kind);
                p.elem = match op {
                    UnOp::Neg => quote!((-#inner)),
                    _ => inner,
                };
                p.kind = kind;
                p
            }
            TExprKind::MatrixFn(f, args) if is_rng(f) => {
                let mut prelude = Vec::new();
                let (decl, t) = self.temp(kind);
                prelude.push(decl);
                let call = self.rng_call(f, args, Some(&t), &mut prelude);
                prelude.push(quote!(#call;));
                Elem { prelude, len: Some(quote!(#t.len())), elem: quote!(#t[__i]), kind }
            }
            TExprKind::MatrixFn(f, args) if kind == Kind::Int => {
                // Functions of `array[] int` to `array[] int` (`head_int`, `cumulative_sum_int`,
                // ...) take the array as a slice and their sizes as ints.
                let mut prelude = Vec::new();
                let mut vals = Vec::new();
                for a in args {
                    if a.ty.is_scalar() {
                        vals.push(self.scalar(a, Kind::Int));
                    } else {
                        let (pre, v) = self.materialize_as(a, Kind::Int);
                        prelude.extend(pre);
                        vals.push(quote!(&#v[..]));
                    }
                }
                let (decl, t) = self.temp(kind);
                prelude.push(decl);
                let f = Ident::new(f, Span::call_site());
                prelude.push(quote!(#rt::math::matrix::#f(&mut *#t, #(#vals),*)?;));
                Elem { prelude, len: Some(quote!(#t.len())), elem: quote!(#t[__i]), kind }
            }
            TExprKind::MatrixFn(f, args) => {
                let mut prelude = Vec::new();
                let st = scalar_type(kind);
                let (decl, t) = self.temp(kind);
                prelude.push(decl);
                let wrapped = self.matrix_fn_args(f, args, kind, &mut prelude);
                let f = Ident::new(f, Span::call_site());
                prelude.push(quote!(#rt::math::matrix::#f::<#st>(&mut *#t, #(#wrapped),*)?;));
                Elem { prelude, len: Some(quote!(#t.len())), elem: quote!(#t[__i]), kind }
            }
            TExprKind::Binary(BinOp::Mul, a, b) if a.ty == Ty::RowVector && b.ty == Ty::Matrix => {
                let mut prelude = Vec::new();
                let st = scalar_type(kind);
                let v = self.arg_as(a, &mut prelude, kind);
                let m = self.mat_arg(b, &mut prelude);
                let (decl, t) = self.temp(kind);
                prelude.push(decl);
                prelude.push(quote! {
                    #rt::math::matrix::multiply_row_vector::<#st>(&mut *#t, #v, #m)?;
                });
                Elem { prelude, len: Some(quote!(#t.len())), elem: quote!(#t[__i]), kind }
            }
            TExprKind::Binary(BinOp::Mul, a, b) if a.ty == Ty::Matrix => {
                let m = self.container_place(a);
                let mut prelude = Vec::new();
                let kb = if b.ad { Kind::Var } else { Kind::Data };
                let (vpre, v) = self.materialize_as(b, kb);
                prelude.extend(vpre);
                let ka = kind_of(&a.ty, a.ad);
                let x = convert(quote!(__a), ka, kind);
                let y = convert(quote!(__b), kb, kind);
                let (decl, t) = self.temp(kind);
                prelude.push(decl);
                if ka == Kind::Data && kb == Kind::Var && kind == Kind::Var {
                    prelude.push(quote!(#rt::ops::matvec_data(&mut *#t, &#m[..], &#v[..])?;));
                } else {
                    prelude.push(quote! {
                        #rt::ops::matvec(&mut *#t, &#m[..], &#v[..], |__a| #x, |__b| #y)?;
                    });
                }
                Elem { prelude, len: Some(quote!(#t.len())), elem: quote!(#t[__i]), kind }
            }
            TExprKind::Binary(op, a, b) => {
                let pa = self.plan(a);
                let pb = self.plan(b);
                let ea = convert(pa.elem, pa.kind, kind);
                let eb = convert(pb.elem, pb.kind, kind);
                let elem = match op {
                    BinOp::Add => quote!((#ea + #eb)),
                    BinOp::Sub => quote!((#ea - #eb)),
                    BinOp::Mul | BinOp::EltMul => quote!((#ea * #eb)),
                    BinOp::Div | BinOp::EltDiv => quote!((#ea / #eb)),
                    _ => unreachable!("checking allows only elementwise operators on containers"),
                };
                let mut prelude = pa.prelude;
                prelude.extend(pb.prelude);
                let len = match (pa.len, pb.len) {
                    (Some(la), Some(lb)) => {
                        let n = self.fresh("n");
                        let sym = op.symbol();
                        prelude.push(quote!(let #n = #rt::ops::same_len(#sym, #la, #lb)?;));
                        Some(quote!(#n))
                    }
                    (l, None) | (None, l) => l,
                };
                Elem { prelude, len, elem, kind }
            }
            TExprKind::Pick { base, rows, cols: Some(col) } => {
                let mut prelude = Vec::new();
                let mark = self.hoist_bases(e, &mut prelude);
                let (decl, t) = self.temp(kind);
                prelude.push(decl);
                let name = Self::root_name(self.p, base);
                let place = self.container_place(base);
                self.roots.truncate(mark);
                let rows = self.pick_index(rows, &mut prelude);
                let PickIndex::Single(j) = &**col else {
                    unreachable!("checking gives a one-level pick one column")
                };
                let j = self.scalar(j, Kind::Int);
                prelude.push(quote! {
                    #rt::ops::pick_column(&mut *#t, &#place[..], #rows, #j, #name)?;
                });
                Elem { prelude, len: Some(quote!(#t.len())), elem: quote!(#t[__i]), kind }
            }
            TExprKind::ScalarFn(f, args) => {
                // A function of reals applied elementwise, scalars broadcast.
                let mut prelude = Vec::new();
                let mut len: Option<TokenStream> = None;
                let mut elems = Vec::new();
                for a in args {
                    let p = self.plan(a);
                    prelude.extend(p.prelude);
                    elems.push(convert(p.elem, p.kind, kind));
                    if let Some(l) = p.len {
                        len = Some(match len {
                            None => l,
                            Some(prev) => {
                                let n = self.fresh("n");
                                let name = *f;
                                prelude
                                    .push(quote!(let #n = #rt::ops::same_len(#name, #prev, #l)?;));
                                quote!(#n)
                            }
                        });
                    }
                }
                let f = Ident::new(f, Span::call_site());
                Elem { prelude, len, elem: quote!(#rt::math::#f(#(#elems),*)), kind }
            }
            TExprKind::Elementwise(f, a) => {
                let p = self.plan(a);
                let x = convert(p.elem, p.kind, kind);
                let elem = elementwise_call(*f, x);
                Elem { prelude: p.prelude, len: p.len, elem, kind }
            }
            TExprKind::Rep(x, n) => {
                let leaf = kind_of(&x.ty, x.ad);
                let v = self.scalar(x, leaf);
                let n = self.scalar(n, Kind::Int);
                let (h, hn) = (self.fresh("h"), self.fresh("n"));
                Elem {
                    prelude: vec![
                        quote!(let #h = #v;),
                        quote!(let #hn = #rt::ops::size("rep", #n)?;),
                    ],
                    len: Some(quote!(#hn)),
                    elem: quote!(#h),
                    kind: leaf,
                }
            }
            TExprKind::Size(_, a) => {
                // `dims`: the sizes of the (rectangular) value, read from its first elements.
                let h = self.fresh("h");
                let levels = a.ty.levels();
                let dims = if levels == 0 {
                    quote!([0i64; 0])
                } else {
                    let place = self.container_place(a);
                    let dims = dims_of_place(&quote!(__p), levels);
                    quote!({ let __p = &#place; #dims.map(|__d| __d as i64) })
                };
                Elem {
                    prelude: vec![quote!(let #h: [i64; #levels] = #dims;)],
                    len: Some(quote!(#levels)),
                    elem: quote!(#h[__i]),
                    kind,
                }
            }
            TExprKind::Ternary(c, a, b) => {
                // Only the chosen branch is evaluated, as in Stan, into a temporary.
                let c = self.truthy(c);
                let (decl, t) = self.temp(kind);
                let fa = self.fill_vec(a, &t, kind);
                let fb = self.fill_vec(b, &t, kind);
                Elem {
                    prelude: vec![decl, quote!(if #c { #fa } else { #fb })],
                    len: Some(quote!(#t.len())),
                    elem: quote!(#t[__i]),
                    kind,
                }
            }
            TExprKind::ArrayLit(items) | TExprKind::RowVectorLit(items) => {
                let vals: Vec<TokenStream> = items.iter().map(|i| self.scalar(i, kind)).collect();
                let h = self.fresh("h");
                let n = vals.len();
                Elem {
                    prelude: vec![quote!(let #h = [#(#vals),*];)],
                    len: Some(quote!(#n)),
                    elem: quote!(#h[__i]),
                    kind,
                }
            }
            _ => unreachable!("checking allows no other container expressions"),
        }
    }

    /// Statements that set the vector `t` to the elements of the one-level expression `e`,
    /// converted to `kind`.
    fn fill_vec(&mut self, e: &TExpr, t: &Ident, kind: Kind) -> TokenStream {
        let p = self.plan(e);
        let prelude = p.prelude;
        let elem = convert(p.elem, p.kind, kind);
        let n = p.len.unwrap_or_else(|| quote!(1usize));
        quote! {{
            #(#prelude)*
            let __n: usize = #n;
            #t.clear();
            for __i in 0..__n {
                let __x = #elem;
                #t.push(__x);
            }
        }}
    }

    /// Statements that set the matrix `t` to a copy of the two-level expression `e`, its
    /// entries converted to `kind`.
    fn copy_matrix_into(&mut self, e: &TExpr, t: &Ident, kind: Kind) -> TokenStream {
        let mut pre = Vec::new();
        let place = self.matrix_place(e, &mut pre);
        let conv = convert(quote!(*__x), kind_of(&e.ty, e.ad), kind);
        quote! {{
            #(#pre)*
            let __src = &#place[..];
            #t.truncate(__src.len());
            #t.resize_with(__src.len(), ::std::vec::Vec::new);
            for (__d, __s) in #t.iter_mut().zip(__src) {
                __d.clear();
                __d.extend(__s.iter().map(|__x| #conv));
            }
        }}
    }

    /// The Rust name of a user-defined function.
    fn function_ident(&self, name: &Ident) -> Ident {
        format_ident!("__tilde_{}_{}", self.p.name, name)
    }

    /// The Rust type of a function argument or return value of type `ty`.
    fn function_type(&self, ty: &Ty, ad: bool, borrowed: bool) -> TokenStream {
        let leaf = scalar_type(kind_of(ty, ad));
        // A container is a slice or a `Vec` of its elements.
        let elem = match ty {
            Ty::Int | Ty::Real => return leaf,
            Ty::Array(inner) => self.container_type(inner, leaf),
            Ty::Matrix => quote!(::std::vec::Vec<#leaf>),
            _ => leaf,
        };
        if borrowed { quote!(&[#elem]) } else { quote!(::std::vec::Vec<#elem>) }
    }

    /// The definitions of the user-defined functions, generic over the scalar type.
    fn functions(&mut self) -> Vec<TokenStream> {
        let rt = rt();
        let p: &'p Program = self.p;
        let mut out = Vec::new();
        for f in &p.functions {
            self.ctx = Ctx::Function;
            self.current_ret = f.ret.clone();
            let ident = self.function_ident(&f.name);
            let mut params: Vec<TokenStream> = f
                .params
                .iter()
                .map(|&id| {
                    let name = var_ident(self.info(id));
                    let info = self.info(id);
                    let ty = self.function_type(&info.ty, info.ad, true);
                    quote!(#name: #ty)
                })
                .collect();
            match f.kind {
                FunKind::Lp => params.push(quote!(__target: &mut __S)),
                FunKind::Rng => params.push(quote!(__rng: &mut #rt::rng::ChainRng)),
                _ => {}
            }
            let ret = match &f.ret {
                Some(t) => self.function_type(t, true, false),
                None => quote!(()),
            };
            self.calls_user = false;
            let body = self.stmts(&f.body, BlockKind::Functions);
            // Only a function that calls functions can recurse; it checks the stack it has left
            // so that runaway recursion is an error rather than the end of the process.
            let guard = if self.calls_user {
                let name = f.name.to_string();
                quote!(#rt::ops::enter_function(#name)?;)
            } else {
                quote!()
            };
            let tail = if f.ret.is_none() { quote!(Ok(())) } else { quote!() };
            out.push(quote! {
                #[allow(
                    non_snake_case,
                    non_camel_case_types,
                    unused_variables,
                    unused_mut,
                    unused_parens,
                    unused_assignments,
                    unreachable_code,
                    dead_code,
                    clippy::all
                )]
                fn #ident<__S: #rt::Scalar>(
                    #(#params),*
                ) -> ::std::result::Result<#ret, #rt::ModelError> {
                    #guard
                    #(#body)*
                    #tail
                }
            });
        }
        self.current_ret = None;
        out
    }

    /// A call of a user-defined function: `user_call` for the expression, `call_function` for
    /// a function and its arguments.
    fn user_call(&mut self, e: &TExpr) -> TokenStream {
        let TExprKind::UserCall { name, args, .. } = &e.kind else {
            unreachable!("only calls reach here")
        };
        let p: &'p Program = self.p;
        let f = p.functions.iter().find(|f| f.name == *name).expect("checked: the function exists");
        let args: Vec<&TExpr> = args.iter().collect();
        self.call_function(f, &args)
    }

    fn call_function(&mut self, f: &TFunction, args: &[&TExpr]) -> TokenStream {
        self.calls_user = true;
        // Parameters carry derivatives when any argument does; the function is instantiated
        // with `S` then, and with `f64` otherwise.
        let ad = args.iter().any(|a| a.ad);
        let target = if ad { Kind::Var } else { Kind::Data };
        let st = scalar_type(target);
        let (prelude, mut vals) = self.function_args(&f.params, args, target);
        match f.kind {
            FunKind::Lp => vals.push(quote!(&mut *__target)),
            FunKind::Rng => vals.push(quote!(&mut *__rng)),
            _ => {}
        }
        let ident = self.function_ident(&f.name);
        quote!({ #(#prelude)* #ident::<#st>(#(#vals),*)? })
    }

    /// The arguments of a user-defined function instantiated with the scalar kind `target`,
    /// for its parameters `params`: statements to run first, and one value per argument.
    fn function_args(
        &mut self,
        params: &[VarId],
        args: &[&TExpr],
        target: Kind,
    ) -> (Vec<TokenStream>, Vec<TokenStream>) {
        let rt = rt();
        let st = scalar_type(target);
        let mut prelude = Vec::new();
        let mut vals = Vec::new();
        for (a, &pid) in args.iter().zip(params) {
            let pty = self.info(pid).ty.clone();
            let want = if *pty.strip_arrays().0 == Ty::Int {
                Kind::Int
            } else if !self.info(pid).ad {
                // A `data` parameter: the function takes plain numbers.
                Kind::Data
            } else {
                target
            };
            match pty.levels() {
                0 => vals.push(self.scalar(a, want)),
                1 => {
                    let (pre, v) = self.materialize_as(a, want);
                    prelude.extend(pre);
                    vals.push(quote!(&#v[..]));
                }
                _ => {
                    let place = self.container_place(a);
                    if kind_of(&a.ty, a.ad) == want {
                        vals.push(quote!(&#place[..]));
                    } else {
                        let lifted = self.fresh("lifted");
                        // Each level above the rows is lifted element by element.
                        let mut lift = quote!(#rt::ops::lift_rows::<#st>(&__m[..]));
                        for _ in 2..pty.levels() {
                            lift =
                                quote!(__m.iter().map(|__m| #lift).collect::<::std::vec::Vec<_>>());
                        }
                        prelude.push(quote! {
                            let #lifted = { let __m = &#place; #lift };
                        });
                        vals.push(quote!(&#lifted[..]));
                    }
                }
            }
        }
        (prelude, vals)
    }

    /// A one-level container expression as a `Vec` (or a place) whose elements are of `want`.
    fn materialize_as(&mut self, e: &TExpr, want: Kind) -> (Vec<TokenStream>, TokenStream) {
        if self.is_place(e) && kind_of(&e.ty, e.ad) == want {
            let p = self.container_place(e);
            return (Vec::new(), quote!(#p));
        }
        let plan = self.plan(e);
        let st = scalar_type(want);
        let elem = convert(plan.elem, plan.kind, want);
        let n = plan.len.unwrap_or_else(|| quote!(1usize));
        let mut pre = plan.prelude;
        let h = self.fresh("mat");
        pre.push(quote!(let #h: ::std::vec::Vec<#st> = (0..#n).map(|__i| #elem).collect();));
        (pre, quote!(#h))
    }

    /// A [`PickIndex`] as the runtime's `ops::Sel`; an index array is evaluated first.
    fn pick_index(&mut self, p: &PickIndex, prelude: &mut Vec<TokenStream>) -> TokenStream {
        let rt = rt();
        match p {
            PickIndex::All => quote!(#rt::ops::Sel::All),
            PickIndex::Range(lo, hi) => {
                let mut bound = |b: &Option<TExpr>| match b {
                    Some(e) => {
                        let v = self.scalar(e, Kind::Int);
                        quote!(Some(#v))
                    }
                    None => quote!(None),
                };
                let (lo, hi) = (bound(lo), bound(hi));
                quote!(#rt::ops::Sel::Range(#lo, #hi))
            }
            PickIndex::Multi(e) => {
                let (pre, v) = self.materialize_as(e, Kind::Int);
                prelude.extend(pre);
                let h = self.fresh("idx");
                prelude.push(quote!(let #h: &[i64] = &#v[..];));
                quote!(#rt::ops::Sel::Multi(#h))
            }
            PickIndex::Single(e) => {
                let v = self.scalar(e, Kind::Int);
                quote!(#rt::ops::Sel::Single(#v))
            }
        }
    }

    /// The name of the variable at the root of an indexing expression, for error messages.
    fn root_name(p: &Program, e: &TExpr) -> String {
        match &e.kind {
            TExprKind::Var(id) => p.vars[*id].name.to_string(),
            TExprKind::Index(b, _) | TExprKind::Slice { base: b, .. } => Self::root_name(p, b),
            TExprKind::UserCall { name, .. } => format!("{name}(...)"),
            _ => "expression".to_string(),
        }
    }

    /// A vector for an intermediate result: a workspace field in the model's methods, a local
    /// in the constructor. Returns its declaration and its name (a `&mut Vec<_>`).
    fn temp(&mut self, kind: Kind) -> (TokenStream, Ident) {
        let name = self.fresh("t");
        let st = scalar_type(kind);
        if self.ctx != Ctx::Method {
            let owner = format_ident!("__own{}", name);
            let decl = quote! {
                let mut #owner: ::std::vec::Vec<#st> = ::std::vec::Vec::new();
                let #name = &mut #owner;
            };
            return (decl, name);
        }
        let field = format_ident!("f{}", name);
        self.ws_fields.push((field.clone(), quote!(::std::vec::Vec<#st>)));
        (quote!(let #name = &mut ws.#field;), name)
    }

    /// A matrix for an intermediate result, like [`Gen::temp`]: its declaration and its name
    /// (a `&mut Vec<Vec<_>>`).
    fn temp2(&mut self, kind: Kind) -> (TokenStream, Ident) {
        let name = self.fresh("t");
        let st = scalar_type(kind);
        let ty = quote!(::std::vec::Vec<::std::vec::Vec<#st>>);
        if self.ctx != Ctx::Method {
            let owner = format_ident!("__own{}", name);
            let decl = quote! {
                let mut #owner: #ty = ::std::vec::Vec::new();
                let #name = &mut #owner;
            };
            return (decl, name);
        }
        let field = format_ident!("f{}", name);
        self.ws_fields.push((field.clone(), ty));
        (quote!(let #name = &mut ws.#field;), name)
    }

    /// A workspace field holding a `Vec` of `kind`, for scratch space of the model's methods.
    fn temp_field(&mut self, kind: Kind) -> (Ident, TokenStream) {
        let field = format_ident!("f{}", self.fresh("s"));
        let st = scalar_type(kind);
        self.ws_fields.push((field.clone(), quote!(::std::vec::Vec<#st>)));
        (field, st)
    }

    /// A matrix-valued expression (or an array of vectors) as a place: the variable itself, or
    /// a temporary computed by statements pushed onto `prelude`. The place's elements have the
    /// expression's own kind.
    fn matrix_place(&mut self, e: &TExpr, prelude: &mut Vec<TokenStream>) -> TokenStream {
        if self.is_place(e) {
            return self.container_place(e);
        }
        if let TExprKind::UserCall { .. } = e.kind {
            let call = self.user_call(e);
            let h = self.fresh("h");
            prelude.push(quote!(let #h = #call;));
            return quote!(#h);
        }
        let kind = kind_of(&e.ty, e.ad);
        let (decl, t) = self.temp2(kind);
        prelude.push(decl);
        let code = self.matrix_into(e, &t, kind, prelude);
        prelude.push(code);
        quote!((*#t))
    }

    /// A matrix argument of a runtime function: `Data(&rows[..])` or `Var(&rows[..])`.
    fn mat_arg(&mut self, e: &TExpr, prelude: &mut Vec<TokenStream>) -> TokenStream {
        let rt = rt();
        let place = self.matrix_place(e, prelude);
        let h = self.fresh("a");
        prelude.push(quote!(let #h = &#place[..];));
        match kind_of(&e.ty, e.ad) {
            Kind::Var => quote!(#rt::math::args::Var(#h)),
            _ => quote!(#rt::math::args::Data(#h)),
        }
    }

    /// The arguments of a `math::matrix` function: ints as `i64`, matrices as [`Gen::mat_arg`],
    /// everything else as an argument of `kind`; `column` also gets the variable's name.
    fn matrix_fn_args(
        &mut self,
        f: &str,
        args: &[TExpr],
        kind: Kind,
        prelude: &mut Vec<TokenStream>,
    ) -> Vec<TokenStream> {
        let rt = rt();
        // The arguments that are sizes or indices; any other int is a real value.
        let size_arg = |k: usize| match f {
            "identity_matrix" => true,
            "rep_matrix" | "to_matrix_sized" | "head" | "tail" | "segment" => k >= 1,
            "rep_matrix_columns" | "rep_matrix_rows" | "column" | "multinomial_rng" => k == 1,
            "lkj_corr_rng" | "lkj_corr_cholesky_rng" => k == 0,
            _ => false,
        };
        let mut out: Vec<TokenStream> = args
            .iter()
            .enumerate()
            .map(|(k, a)| {
                if a.ty == Ty::Int && size_arg(k) {
                    let v = self.scalar(a, Kind::Int);
                    let h = self.fresh("a");
                    prelude.push(quote!(let #h: i64 = #v;));
                    quote!(#h)
                } else if a.ty.levels() == 2 {
                    self.mat_arg(a, prelude)
                } else if f == "append_row_matrix" {
                    // A row vector is a matrix of one row here, a vector one of one column.
                    let v = self.arg_as(a, prelude, kind);
                    quote!(#rt::math::AsRow(#v))
                } else if f == "append_col_matrix" {
                    let v = self.arg_as(a, prelude, kind);
                    quote!(#rt::math::AsCol(#v))
                } else {
                    self.arg_as(a, prelude, kind)
                }
            })
            .collect();
        if f == "column" {
            let name = Self::root_name(self.p, &args[0]);
            out.push(quote!(#name));
        }
        out
    }

    /// The call of the multivariate or ordinal `_rng` `f`, writing into `out` when the draw is
    /// a container, with the chain's random number generator last. The runtime function is
    /// instantiated with `f64`, or with the function's scalar type when an argument (of a
    /// `_rng` function) may hold one, since it reads only values either way.
    fn rng_call(
        &mut self,
        f: &str,
        args: &[TExpr],
        out: Option<&Ident>,
        prelude: &mut Vec<TokenStream>,
    ) -> TokenStream {
        let rt = rt();
        let kind = if args.iter().any(|a| a.ad) { Kind::Var } else { Kind::Data };
        let st = scalar_type(kind);
        let wrapped = self.matrix_fn_args(f, args, kind, prelude);
        let f = Ident::new(f, Span::call_site());
        match out {
            Some(t) => quote!(#rt::dist::#f::<#st>(&mut *#t, #(#wrapped,)* &mut *__rng)?),
            None => quote!(#rt::dist::#f::<#st>(#(#wrapped,)* &mut *__rng)?),
        }
    }

    /// Statements that set the matrix `t` (of `kind`) to the value of the matrix expression
    /// `e`; operand temporaries go to `prelude`.
    fn matrix_into(
        &mut self,
        e: &TExpr,
        t: &Ident,
        kind: Kind,
        prelude: &mut Vec<TokenStream>,
    ) -> TokenStream {
        crate::deep(|| self.matrix_into_here(e, t, kind, prelude))
    }

    fn matrix_into_here(
        &mut self,
        e: &TExpr,
        t: &Ident,
        kind: Kind,
        prelude: &mut Vec<TokenStream>,
    ) -> TokenStream {
        let rt = rt();
        let st = scalar_type(kind);
        match &e.kind {
            TExprKind::MatrixFn(f, args) if is_rng(f) => {
                let call = self.rng_call(f, args, Some(t), prelude);
                quote!(#call;)
            }
            TExprKind::MatrixFn(f, args) => {
                let wrapped = self.matrix_fn_args(f, args, kind, prelude);
                let f = Ident::new(f, Span::call_site());
                quote!(#rt::math::matrix::#f::<#st>(&mut *#t, #(#wrapped),*)?;)
            }
            TExprKind::Transpose(m) => {
                let m = self.mat_arg(m, prelude);
                quote!(#rt::math::matrix::transpose::<#st>(&mut *#t, #m)?;)
            }
            TExprKind::Binary(BinOp::Mul, a, b) if a.ty == Ty::Vector && b.ty == Ty::RowVector => {
                let (a, b) = (self.arg_as(a, prelude, kind), self.arg_as(b, prelude, kind));
                quote!(#rt::math::matrix::outer::<#st>(&mut *#t, #a, #b)?;)
            }
            TExprKind::Binary(BinOp::Mul, a, b) if a.ty == Ty::Matrix && b.ty == Ty::Matrix => {
                let (a, b) = (self.mat_arg(a, prelude), self.mat_arg(b, prelude));
                quote!(#rt::math::matrix::multiply::<#st>(&mut *#t, #a, #b)?;)
            }
            TExprKind::Binary(op, a, b) => {
                let (ea, sa) = self.matrix_operand(a, kind, prelude);
                let (eb, sb) = self.matrix_operand(b, kind, prelude);
                let elem = match op {
                    BinOp::Add => quote!((#ea + #eb)),
                    BinOp::Sub => quote!((#ea - #eb)),
                    BinOp::Mul | BinOp::EltMul => quote!((#ea * #eb)),
                    BinOp::Div | BinOp::EltDiv => quote!((#ea / #eb)),
                    _ => unreachable!("checking allows only these operators on matrices"),
                };
                let sym = op.symbol();
                let shape = match (sa, sb) {
                    (Some(x), Some(y)) => quote! {
                        let __shape = #rt::math::matrix::dims(&#x[..]);
                        #rt::math::matrix::same_shape(
                            #sym, __shape, #rt::math::matrix::dims(&#y[..]))?;
                    },
                    (Some(x), None) | (None, Some(x)) => {
                        quote!(let __shape = #rt::math::matrix::dims(&#x[..]);)
                    }
                    (None, None) => unreachable!("a matrix operation has a matrix operand"),
                };
                self.fill_matrix(t, kind, shape, elem)
            }
            TExprKind::ScalarFn(f, args) => {
                let name = *f;
                let mut elems = Vec::new();
                let mut shape = None;
                for a in args {
                    let (e, place) = self.matrix_operand(a, kind, prelude);
                    elems.push(e);
                    if let Some(x) = place {
                        shape = Some(match shape {
                            None => quote!(let __shape = #rt::math::matrix::dims(&#x[..]);),
                            Some(before) => quote! {
                                #before
                                #rt::math::matrix::same_shape(
                                    #name, __shape, #rt::math::matrix::dims(&#x[..]))?;
                            },
                        });
                    }
                }
                let shape = shape.expect("a function of a matrix has a matrix argument");
                let f = Ident::new(f, Span::call_site());
                self.fill_matrix(t, kind, shape, quote!(#rt::math::#f(#(#elems),*)))
            }
            TExprKind::Pick { base, rows, cols } => {
                let name = Self::root_name(self.p, base);
                let mark = self.hoist_bases(e, prelude);
                let place = self.container_place(base);
                self.roots.truncate(mark);
                let rows = self.pick_index(rows, prelude);
                let cols = match cols {
                    Some(c) => self.pick_index(c, prelude),
                    None => quote!(#rt::ops::Sel::All),
                };
                quote!(#rt::ops::pick(&mut *#t, &#place[..], #rows, #cols, #name)?;)
            }
            TExprKind::ArrayLit(items) | TExprKind::RowVectorLit(items) => {
                // Each element is one row; all must have one size.
                let n = items.len();
                let mut fills = Vec::new();
                for (k, item) in items.iter().enumerate() {
                    let r = self.fresh("row");
                    let fill = self.fill_vec(item, &r, kind);
                    fills.push(quote!({ let #r = &mut #t[#k]; #fill }));
                }
                let what = if matches!(e.kind, TExprKind::ArrayLit(_)) {
                    "the elements of an array literal"
                } else {
                    "the rows of a matrix literal"
                };
                quote! {{
                    #t.truncate(#n);
                    #t.resize_with(#n, ::std::vec::Vec::new);
                    #(#fills)*
                    #rt::ops::check_rectangular(&#t[..], #what)?;
                }}
            }
            TExprKind::Ternary(c, a, b) => {
                let c = self.truthy(c);
                let fa = self.copy_matrix_into(a, t, kind);
                let fb = self.copy_matrix_into(b, t, kind);
                quote!(if #c { #fa } else { #fb })
            }
            TExprKind::Elementwise(f, a) => {
                let (ea, sa) = self.matrix_operand(a, kind, prelude);
                let x = sa.expect("the argument of a function of a matrix is a matrix");
                let elem = elementwise_call(*f, ea);
                let shape = quote!(let __shape = #rt::math::matrix::dims(&#x[..]););
                self.fill_matrix(t, kind, shape, elem)
            }
            TExprKind::Unary(op, a) => {
                let (ea, sa) = self.matrix_operand(a, kind, prelude);
                let x = sa.expect("the operand of a matrix negation is a matrix");
                let elem = if *op == UnOp::Neg { quote!((-#ea)) } else { ea };
                let shape = quote!(let __shape = #rt::math::matrix::dims(&#x[..]););
                self.fill_matrix(t, kind, shape, elem)
            }
            _ => unreachable!("checking allows no other matrix expressions"),
        }
    }

    /// One operand of an elementwise matrix operation: its element `(__r, __c)` converted to
    /// `kind`, and its place if it is a matrix (a scalar is hoisted and broadcasts).
    fn matrix_operand(
        &mut self,
        e: &TExpr,
        kind: Kind,
        prelude: &mut Vec<TokenStream>,
    ) -> (TokenStream, Option<TokenStream>) {
        let k = kind_of(&e.ty, e.ad);
        if e.ty.is_scalar() {
            let v = self.scalar(e, kind);
            let h = self.fresh("h");
            prelude.push(quote!(let #h = #v;));
            return (quote!(#h), None);
        }
        let place = self.matrix_place(e, prelude);
        let h = self.fresh("m");
        prelude.push(quote!(let #h = &#place[..];));
        (convert(quote!(#h[__r][__c]), k, kind), Some(quote!(#h)))
    }

    /// Resizes `t` to `__shape` (set by `shape`) and sets each entry to `elem`.
    fn fill_matrix(
        &mut self,
        t: &Ident,
        kind: Kind,
        shape: TokenStream,
        elem: TokenStream,
    ) -> TokenStream {
        let rt = rt();
        let zero = convert(quote!(0.0f64), Kind::Data, kind);
        quote! {{
            #shape
            #rt::ops::resize2(&mut *#t, __shape.0, __shape.1, #zero);
            for __r in 0..__shape.0 {
                for __c in 0..__shape.1 {
                    #t[__r][__c] = #elem;
                }
            }
        }}
    }

    /// An argument of a vectorised runtime function: `Data(..)`, `Var(..)` or `Lazy {..}`.
    fn arg(&mut self, e: &TExpr, prelude: &mut Vec<TokenStream>) -> TokenStream {
        self.arg_as(e, prelude, Kind::Var)
    }

    /// Like [`Gen::arg`], with a lazy expression's elements of `want` (`Var` unless the
    /// function is instantiated with `f64`).
    fn arg_as(&mut self, e: &TExpr, prelude: &mut Vec<TokenStream>, want: Kind) -> TokenStream {
        let rt = rt();
        let kind = kind_of(&e.ty, e.ad);
        if e.ty.is_scalar() {
            let v = self.scalar(e, kind);
            let h = self.fresh("a");
            prelude.push(quote!(let #h = #v;));
            return match kind {
                Kind::Var => quote!(#rt::math::args::Var(#h)),
                _ => quote!(#rt::math::args::Data(#h)),
            };
        }
        if self.is_place(e) {
            let slice = self.container_slice(e);
            let h = self.fresh("a");
            prelude.push(quote!(let #h = #slice;));
            return match kind {
                Kind::Var => quote!(#rt::math::args::Var(#h)),
                _ => quote!(#rt::math::args::Data(#h)),
            };
        }
        let plan = self.plan(e);
        prelude.extend(plan.prelude);
        let want = if want == Kind::Int { Kind::Data } else { want };
        let elem = convert(plan.elem, plan.kind, want);
        let len = plan.len.unwrap_or_else(|| quote!(1usize));
        quote!(#rt::math::args::Lazy { len: #len, f: |__i: usize| #elem })
    }

    fn density_call(
        &mut self,
        dist: &DistCall,
        propto: bool,
        args: &[&TExpr],
        kind: Kind,
    ) -> (Vec<TokenStream>, TokenStream) {
        let rt = rt();
        let scalar = scalar_type(kind);
        let user = format!("{}_{}", dist.family, dist.suffix);
        let p: &'p Program = self.p;
        if let Some(f) = p.functions.iter().find(|f| f.name == user.as_str()) {
            let _ = (propto, scalar);
            return (Vec::new(), self.call_function(f, args));
        }
        let mut prelude = Vec::new();
        let shapes = crate::builtins::distribution(&dist.family).and_then(|d| d.shapes);
        let wrapped: Vec<TokenStream> = args
            .iter()
            .enumerate()
            .map(|(k, a)| match shapes.map(|s| s[k]) {
                Some(crate::builtins::Shape::Vectors) if a.ty.levels() == 1 => {
                    let v = self.arg_as(a, &mut prelude, kind);
                    quote!(#rt::math::args::AsRow(#v))
                }
                Some(crate::builtins::Shape::Vectors | crate::builtins::Shape::Matrix) => {
                    self.mat_arg(a, &mut prelude)
                }
                _ => self.arg_as(a, &mut prelude, kind),
            })
            .collect();
        let f = format_ident!("{}_{}", dist.family, dist.suffix);
        (prelude, quote!(#rt::dist::#f::<#propto, #scalar>(#(#wrapped),*)?))
    }

    /// A scalar expression, converted to `want`.
    fn scalar(&mut self, e: &TExpr, want: Kind) -> TokenStream {
        let kind = kind_of(&e.ty, e.ad);
        let raw = self.raw_scalar(e);
        convert(raw, kind, want)
    }

    fn real_lit(v: f64) -> TokenStream {
        if v.is_nan() {
            quote!(f64::NAN)
        } else if v == f64::INFINITY {
            quote!(f64::INFINITY)
        } else if v == f64::NEG_INFINITY {
            quote!(f64::NEG_INFINITY)
        } else {
            let lit = proc_macro2::Literal::f64_suffixed(v);
            quote!(#lit)
        }
    }

    fn raw_scalar(&mut self, e: &TExpr) -> TokenStream {
        crate::deep(|| self.raw_scalar_here(e))
    }

    fn raw_scalar_here(&mut self, e: &TExpr) -> TokenStream {
        let rt = rt();
        let kind = kind_of(&e.ty, e.ad);
        match &e.kind {
            TExprKind::Int(v) => {
                let lit = proc_macro2::Literal::i64_suffixed(*v);
                quote!(#lit)
            }
            TExprKind::Real(v) | TExprKind::Constant(v) => Self::real_lit(*v),
            TExprKind::Var(id) => self.var_place(*id),
            TExprKind::Unary(op, a) => {
                let v = self.scalar(a, kind_of(&a.ty, a.ad));
                match (op, kind_of(&a.ty, a.ad)) {
                    (UnOp::Plus, _) => v,
                    (UnOp::Neg, Kind::Int) => quote!(#rt::ops::ineg(#v)?),
                    (UnOp::Neg, _) => quote!((-#v)),
                    (UnOp::Not, _) => {
                        let t = self.truthy(a);
                        quote!(((!#t) as i64))
                    }
                }
            }
            TExprKind::Binary(op, a, b) => self.binary(*op, a, b, kind),
            TExprKind::Ternary(c, a, b) => {
                let c = self.truthy(c);
                let a = self.scalar(a, kind);
                let b = self.scalar(b, kind);
                quote!((if #c { #a } else { #b }))
            }
            TExprKind::Elementwise(f, a) => {
                let x = self.scalar(a, if a.ad { Kind::Var } else { Kind::Data });
                elementwise_call(*f, x)
            }
            TExprKind::Reduce(r, args) => {
                let mut prelude = Vec::new();
                let wrapped: Vec<TokenStream> =
                    args.iter().map(|a| self.arg_as(a, &mut prelude, kind)).collect();
                let st = scalar_type(kind);
                // Reductions that can meet a length mismatch or an empty container return a
                // `Result`; the rest cannot fail.
                let (f, fallible) = match r {
                    Reduction::Sum => ("sum", false),
                    Reduction::Prod => ("prod", false),
                    Reduction::Mean => ("mean", true),
                    Reduction::Sd => ("sd", true),
                    Reduction::Variance => ("variance", true),
                    Reduction::LogSumExp => ("log_sum_exp_of", false),
                    Reduction::DotProduct => ("dot_product", true),
                    Reduction::DotSelf => ("dot_self", false),
                    Reduction::Max => ("max", false),
                    Reduction::Min => ("min", false),
                };
                let q = if fallible { quote!(?) } else { quote!() };
                let f = Ident::new(f, Span::call_site());
                quote!({ #(#prelude)* #rt::math::#f::<#st>(#(#wrapped),*)#q })
            }
            TExprKind::Density { dist, propto, args } => {
                let all: Vec<&TExpr> = args.iter().collect();
                let (prelude, call) = self.density_call(dist, *propto, &all, kind);
                quote!({ #(#prelude)* #call })
            }
            TExprKind::Cdf { family, which, args } => {
                let mut prelude = Vec::new();
                let wrapped: Vec<TokenStream> =
                    args.iter().map(|a| self.arg_as(a, &mut prelude, kind)).collect();
                let st = scalar_type(kind);
                let f = format_ident!("{}_{}", family, which);
                quote!({ #(#prelude)* #rt::dist::#f::<#st>(#(#wrapped),*)? })
            }
            TExprKind::Rng { family, args } => {
                let sig = crate::builtins::distribution(family).expect("checked");
                let vals: Vec<TokenStream> = args
                    .iter()
                    .enumerate()
                    .map(|(k, a)| {
                        let want = if sig.int_param(k) { Kind::Int } else { Kind::Data };
                        self.scalar(a, want)
                    })
                    .collect();
                let f = format_ident!("{}_rng", family);
                quote!(#rt::dist::#f(#(#vals,)* &mut *__rng)?)
            }
            TExprKind::Size(which, a) => {
                if a.ty.is_scalar() {
                    return quote!(1i64);
                }
                let place = self.container_place(a);
                let (leaf, arrays) = a.ty.strip_arrays();
                match *which {
                    "rows" if *leaf == Ty::RowVector && arrays == 0 => quote!(1i64),
                    "cols" if *leaf == Ty::Vector && arrays == 0 => quote!(1i64),
                    "cols" if *leaf == Ty::Matrix && arrays == 0 => {
                        quote!((#place.first().map_or(0, |r| r.len()) as i64))
                    }
                    "num_elements" if a.ty.levels() >= 2 => {
                        let leaves = flat_iter(&place, a.ty.levels(), false);
                        quote!((#leaves.count() as i64))
                    }
                    _ => quote!((#place.len() as i64)),
                }
            }
            TExprKind::Index(base, idx) => {
                let mut prelude = Vec::new();
                let mark = self.hoist_bases(e, &mut prelude);
                let name = Self::root_name(self.p, base);
                let mut path = self.container_place(base);
                self.roots.truncate(mark);
                let last = idx.len() - 1;
                for (k, i) in idx.iter().enumerate() {
                    let i = self.scalar(i, Kind::Int);
                    path = if k == last {
                        quote!(#rt::ops::at(&#path[..], #i, #name)?)
                    } else {
                        quote!((*#rt::ops::at_ref(&#path[..], #i, #name)?))
                    };
                }
                if prelude.is_empty() { path } else { quote!({ #(#prelude)* #path }) }
            }
            TExprKind::UserCall { .. } => self.user_call(e),
            TExprKind::IntFn(f, args) => {
                let vals: Vec<TokenStream> = args
                    .iter()
                    .map(|a| {
                        if a.ty.is_scalar() {
                            self.scalar(a, Kind::Int)
                        } else {
                            self.container_slice(a)
                        }
                    })
                    .collect();
                let f = Ident::new(f, Span::call_site());
                quote!(#rt::ops::#f(#(#vals),*)?)
            }
            TExprKind::ScalarFn(f, args) => {
                let want = if e.ad { Kind::Var } else { Kind::Data };
                let vals: Vec<TokenStream> = args.iter().map(|a| self.scalar(a, want)).collect();
                let f = Ident::new(f, Span::call_site());
                quote!(#rt::math::#f(#(#vals),*))
            }
            TExprKind::MatrixFn(f, args) if is_rng(f) => {
                let mut prelude = Vec::new();
                let call = self.rng_call(f, args, None, &mut prelude);
                quote!({ #(#prelude)* #call })
            }
            TExprKind::MatrixFn(f, args) => {
                let mut prelude = Vec::new();
                let st = scalar_type(kind);
                let (decl, t) = self.temp2(kind);
                prelude.push(decl);
                let wrapped = self.matrix_fn_args(f, args, kind, &mut prelude);
                let f = Ident::new(f, Span::call_site());
                quote!({ #(#prelude)* #rt::math::matrix::#f::<#st>(#(#wrapped,)* &mut *#t)? })
            }
            TExprKind::Transpose(_) => unreachable!("containers are not scalars"),
            TExprKind::Rep(..)
            | TExprKind::ArrayLit(_)
            | TExprKind::RowVectorLit(_)
            | TExprKind::Slice { .. }
            | TExprKind::MultiIndex { .. }
            | TExprKind::Pick { .. }
            | TExprKind::Ode(_) => unreachable!("containers are not scalars"),
        }
    }

    fn binary(&mut self, op: BinOp, a: &TExpr, b: &TExpr, kind: Kind) -> TokenStream {
        let rt = rt();
        let (ka, kb) = (kind_of(&a.ty, a.ad), kind_of(&b.ty, b.ad));
        // The kind both operands are brought to before a comparison.
        let common = if ka == Kind::Var || kb == Kind::Var {
            Kind::Var
        } else if ka == Kind::Data || kb == Kind::Data {
            Kind::Data
        } else {
            Kind::Int
        };
        if op == BinOp::Mul && a.ty == Ty::RowVector && b.ty == Ty::Vector {
            let mut prelude = Vec::new();
            let (x, y) = (self.arg_as(a, &mut prelude, kind), self.arg_as(b, &mut prelude, kind));
            let st = scalar_type(kind);
            return quote!({ #(#prelude)* #rt::math::dot_product::<#st>(#x, #y)? });
        }
        match op {
            BinOp::Or | BinOp::And => {
                let (x, y) = (self.truthy(a), self.truthy(b));
                if op == BinOp::Or {
                    quote!(((#x || #y) as i64))
                } else {
                    quote!(((#x && #y) as i64))
                }
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let x = self.scalar(a, common);
                let y = self.scalar(b, common);
                let cmp = match op {
                    BinOp::Eq => quote!(==),
                    BinOp::Ne => quote!(!=),
                    BinOp::Lt => quote!(<),
                    BinOp::Le => quote!(<=),
                    BinOp::Gt => quote!(>),
                    _ => quote!(>=),
                };
                quote!(((#x #cmp #y) as i64))
            }
            _ if kind == Kind::Int => {
                let x = self.scalar(a, Kind::Int);
                let y = self.scalar(b, Kind::Int);
                let f = match op {
                    BinOp::Add => quote!(iadd),
                    BinOp::Sub => quote!(isub),
                    BinOp::Mul => quote!(imul),
                    BinOp::Mod => quote!(imod),
                    _ => quote!(idiv),
                };
                quote!(#rt::ops::#f(#x, #y)?)
            }
            BinOp::Pow => {
                let x = self.scalar(a, kind);
                if let TExprKind::Int(n) = b.kind
                    && i32::try_from(n).is_ok()
                {
                    let n = proc_macro2::Literal::i32_suffixed(n as i32);
                    return quote!(#rt::Scalar::powi(#x, #n));
                }
                let y = self.scalar(b, kind);
                quote!(#rt::Scalar::pow(#x, #y))
            }
            _ => {
                let x = self.scalar(a, kind);
                // A constant right operand stays f64: `S op f64` is cheaper than lifting it.
                let y = if kind == Kind::Var && kb != Kind::Var {
                    self.scalar(b, Kind::Data)
                } else {
                    self.scalar(b, kind)
                };
                let sym = match op {
                    BinOp::Add => quote!(+),
                    BinOp::Sub => quote!(-),
                    BinOp::Mul | BinOp::EltMul => quote!(*),
                    _ => quote!(/),
                };
                quote!((#x #sym #y))
            }
        }
    }
}
