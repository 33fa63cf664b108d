//! The parser and checker never panic, whatever tokens they are given: thousands of random
//! and mutated token streams go through the whole macro as a library call.

use proptest::prelude::*;
use proptest::test_runner::Config;

/// Valid models to mutate, covering every construct the language has.
const CORPUS: &[&str] = &[
    "struct M; data { int<lower=0> J; array[J] real y; array[J] real<lower=0> sigma; }
     parameters { real mu; real<lower=0> tau; vector[J] z; }
     transformed parameters { vector[J] theta = mu + tau * z; }
     model { mu ~ normal(0, 5); tau ~ cauchy(0, 5); z ~ std_normal(); y ~ normal(theta, sigma); }",
    "struct M; functions { int fib(int n) { if (n <= 2) return 1; return fib(n - 1) + fib(n - 2); }
       real my_lpdf(real y, real mu) { return -0.5 * square(y - mu); }
       vector shift(vector x, real b) { return x + b; } void chk_lp(real x) { target += x; } }
     data { int N; matrix[N, 2] X; vector[N] y; array[N] int<lower=1, upper=2> g; }
     transformed data { real m = mean(y); int f = fib(5); }
     parameters { vector[2] beta; simplex[3] p; ordered[2] o; real<lower=-1, upper=1> r; }
     model { y ~ normal(X * beta, 1); for (k in 1:2) beta[k] ~ my(0); chk_lp(r);
       target += normal_lpdf(y[2:3] | 0, 1);
       for (n in 1:N) { if (g[n] == 1) continue; else y[n] ~ normal(beta[g[n]], 1); } }
     generated quantities { real d = normal_rng(0, 1); array[2, 2] real t; t[1, 1] = 1 ? 2 : 3;
       vector[N] s = shift(y, 1); real q = X[1] * beta; int k = size(y[:2]); }",
    "struct M; data { int K; array[K] int idx; vector[K] v; }
     generated quantities { real a = sum(v[idx]); real b = -2^2; int c = 7 %/% 2 + 7 % 3;
       while (1) { break; } for (x in v) { print(x, \"!\"); } real e = log_mix(0.5, 0, 0); }",
    "struct M; data { int K; array[K] int idx; vector[K] v; real y; } parameters { real mu; }
     transformed parameters { vector[K] w = v; w[idx] = v[idx] * mu; w[2:] = w[:K - 1]; }
     model { y ~ normal(mu, 1) T[0, ]; y ~ normal(mu, 1) T[-1, 2]; y ~ cauchy(mu, 1) T[, 3]; }
     generated quantities { matrix[2, 2] m = rep_matrix(0, 2, 2); m[:, 1] = v[1:2];
       m[1, 1:2] = [1, 2]; m[2, :] += m[1]; }",
    "struct M; functions { array[] matrix twice(array[] matrix a) { return a; } }
     data { int K; array[K] matrix[2, 2] a; array[2, 2, K] real b; array[K] int idx; }
     parameters { array[K] cholesky_factor_corr[2] L; array[2, K] vector[2] z; }
     transformed parameters { array[K] matrix[2, 2] S = twice(a); S[1] = L[1]; S[2:] = a[2:];
       S[1, 2, 1] = 0; S[1, 2] = [1, 2]; }
     model { for (k in 1:K) { z[1, k] ~ multi_normal_cholesky(z[2, k], L[k]); } }
     generated quantities { array[K] matrix[2, 2] c = {a[1], a[2] * 2}; real t = 0;
       array[K] matrix[2, 2] d = K > 1 ? a[idx] : exp(a); array[3] int n = dims(a);
       for (m in a) { t += sum(m[1]); } print(b, a[1, :, 2], a[1, 2:2]); }",
];

/// Tokens that mutations insert.
const VOCABULARY: &[&str] = &[
    "real",
    "int",
    "vector",
    "matrix",
    "array",
    "simplex",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    "<",
    ">",
    "lower",
    "upper",
    "=",
    "~",
    "+",
    "-",
    "*",
    "/",
    "^",
    ".",
    ":",
    ",",
    ";",
    "|",
    "?",
    "!",
    "&&",
    "target",
    "+=",
    "for",
    "in",
    "if",
    "else",
    "while",
    "return",
    "break",
    "normal",
    "x",
    "y",
    "1",
    "2.5",
    "0",
    "-1",
    "\"s\"",
    "data",
    "parameters",
    "model",
    "transformed",
    "functions",
    "generated",
    "quantities",
    "T",
    "void",
    "print",
    "reject",
    "lp__",
    "_",
    "1e400",
    "%",
    "%/%",
];

fn tokens(src: &str) -> Vec<String> {
    let stream: proc_macro2::TokenStream = src.parse().expect("the corpus tokenizes");
    let mut out = Vec::new();
    flatten(stream, &mut out);
    out
}

fn flatten(stream: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for tree in stream {
        match tree {
            proc_macro2::TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                    proc_macro2::Delimiter::Brace => ("{", "}"),
                    proc_macro2::Delimiter::Bracket => ("[", "]"),
                    proc_macro2::Delimiter::None => ("", ""),
                };
                out.push(open.to_string());
                flatten(g.stream(), out);
                out.push(close.to_string());
            }
            other => out.push(other.to_string()),
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, usize),
    Replace(usize, usize),
    Swap(usize, usize),
    Duplicate(usize, usize),
}

fn apply(mut toks: Vec<String>, mutations: &[Mutation]) -> String {
    for m in mutations {
        let n = toks.len().max(1);
        match *m {
            Mutation::Delete(i) if !toks.is_empty() => {
                toks.remove(i % n);
            }
            Mutation::Insert(i, w) => {
                toks.insert(i % (toks.len() + 1), VOCABULARY[w % VOCABULARY.len()].into());
            }
            Mutation::Replace(i, w) if !toks.is_empty() => {
                toks[i % n] = VOCABULARY[w % VOCABULARY.len()].into();
            }
            Mutation::Swap(i, j) if !toks.is_empty() => toks.swap(i % n, j % n),
            Mutation::Duplicate(i, len) if !toks.is_empty() => {
                let start = i % n;
                let end = (start + len % 8).min(toks.len());
                let copy: Vec<String> = toks[start..end].to_vec();
                toks.splice(start..start, copy);
            }
            _ => {}
        }
    }
    toks.join(" ")
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0usize..10_000;
    prop_oneof![
        i.clone().prop_map(Mutation::Delete),
        (i.clone(), 0usize..1000).prop_map(|(a, b)| Mutation::Insert(a, b)),
        (i.clone(), 0usize..1000).prop_map(|(a, b)| Mutation::Replace(a, b)),
        (i.clone(), i.clone()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (i, 0usize..100).prop_map(|(a, b)| Mutation::Duplicate(a, b)),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 4000, failure_persistence: None, ..Config::default() })]

    #[test]
    fn mutated_models_never_panic(
        which in 0usize..CORPUS.len(),
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let text = apply(tokens(CORPUS[which]), &mutations);
        // Mutations can unbalance delimiters, which the tokenizer refuses before any macro runs.
        if let Ok(stream) = text.parse::<proc_macro2::TokenStream>() {
            let _ = crate::expand(stream);
        }
    }

    #[test]
    fn random_token_soup_never_panics(
        words in prop::collection::vec(0usize..VOCABULARY.len(), 0..60),
    ) {
        let body: Vec<&str> = words.iter().map(|&w| VOCABULARY[w]).collect();
        let text = format!("struct M; {}", body.join(" "));
        if let Ok(stream) = text.parse::<proc_macro2::TokenStream>() {
            let _ = crate::expand(stream);
        }
    }
}

#[test]
fn the_corpus_compiles_without_errors() {
    for src in CORPUS {
        let out = crate::expand(src.parse().unwrap()).to_string();
        assert!(!out.contains("compile_error"), "{src}\n=> {out}");
    }
}
