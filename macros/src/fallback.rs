//! What `model!` emits when checking fails: the errors, plus a stub of the model type.
//!
//! The stub has the model's name, constructors and an `impl Model`, so that code using the model
//! (`EightSchools::from_json_file(..)`, `sampler.sample(&model)`) raises no errors of its own and
//! the user sees only the errors that matter.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Ident, Visibility};

pub fn expand(
    attrs: &[Attribute],
    vis: &Visibility,
    name: &Ident,
    errors: syn::Error,
) -> TokenStream {
    let errors = errors.to_compile_error();
    let rt = crate::runtime_path::get();
    let docs: Vec<&Attribute> = attrs.iter().filter(|a| a.path().is_ident("doc")).collect();
    quote! {
        #errors

        #(#docs)*
        #[derive(Debug, Clone)]
        #vis struct #name;

        #[allow(dead_code, unused_variables)]
        impl #name {
            /// Unavailable: the model did not compile.
            pub fn new(data: &#rt::data::DataSource) -> ::std::result::Result<Self, #rt::Error> {
                unreachable!("the model failed to compile")
            }
            /// Unavailable: the model did not compile.
            pub fn from_json_str(json: &str) -> ::std::result::Result<Self, #rt::Error> {
                unreachable!("the model failed to compile")
            }
            /// Unavailable: the model did not compile.
            pub fn from_json_file(
                path: impl ::std::convert::AsRef<::std::path::Path>,
            ) -> ::std::result::Result<Self, #rt::Error> {
                unreachable!("the model failed to compile")
            }
        }

        #[allow(unused_variables, non_camel_case_types)]
        impl #rt::Model for #name {
            type Workspace<__S: #rt::Scalar> = ();
            fn name(&self) -> &'static str { unreachable!() }
            fn dim(&self) -> usize { unreachable!() }
            fn output_names(&self) -> ::std::vec::Vec<::std::string::String> { unreachable!() }
            fn output_shapes(
                &self,
            ) -> ::std::vec::Vec<(::std::string::String, ::std::vec::Vec<usize>)> {
                unreachable!()
            }
            fn new_workspace<__S: #rt::Scalar>(&self) -> Self::Workspace<__S> {}
            fn log_density<__S: #rt::Scalar>(
                &self,
                theta: &[__S],
                ws: &mut Self::Workspace<__S>,
            ) -> ::std::result::Result<__S, #rt::ModelError> {
                unreachable!()
            }
            fn write_outputs(
                &self,
                theta: &[f64],
                ws: &mut Self::Workspace<f64>,
                rng: &mut #rt::rng::ChainRng,
                generated: bool,
                out: &mut [f64],
            ) -> ::std::result::Result<(), #rt::ModelError> {
                unreachable!()
            }
        }
    }
}
