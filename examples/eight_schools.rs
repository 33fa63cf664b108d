//! Eight schools (Rubin 1981), non-centred: Tilde's main job.
//!
//! Run with `cargo run --release --example eight_schools`. Besides printing the summary, it
//! writes CmdStan CSV files (`eight_schools_1.csv`, ...), the draws as JSON and a trace plot
//! into `target/eight_schools/`.

use std::time::Instant;
use tilde::sampler::Sampler;

tilde::model! {
    /// The effect of coaching programs in eight schools, with a non-centred hierarchy.
    pub struct EightSchools;

    data {
        int<lower=0> J;
        array[J] real y;
        array[J] real<lower=0> sigma;
    }
    parameters {
        real mu;
        real<lower=0> tau;
        vector[J] theta_tilde;
    }
    transformed parameters {
        vector[J] theta = mu + tau * theta_tilde;
    }
    model {
        mu ~ normal(0, 5);
        tau ~ cauchy(0, 5);
        theta_tilde ~ std_normal();
        y ~ normal(theta, sigma);
    }
}

fn main() -> Result<(), tilde::Error> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/eight_schools.json");
    let model = EightSchools::from_json_file(path)?;
    let start = Instant::now();
    let fit = Sampler::new().chains(4).warmup(1000).draws(1000).seed(1).sample(&model)?;
    let elapsed = start.elapsed();
    println!("{}", fit.summary());
    let divergent: usize = fit.divergences().iter().sum();
    println!("Divergent transitions after warm-up: {divergent}");
    println!(
        "4 chains x (1000 warm-up + 1000 draws) in {:.3} s, {} gradient evaluations",
        elapsed.as_secs_f64(),
        fit.total_gradient_evaluations()
    );
    let out = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/target/eight_schools"));
    std::fs::create_dir_all(out)
        .map_err(|source| tilde::Error::Io { path: out.display().to_string(), source })?;
    let csvs = fit.write_csv(out.join("eight_schools"))?;
    fit.write_json(out.join("eight_schools.json"))?;
    fit.plot_trace(out.join("eight_schools_trace.svg"), &["mu", "tau", "theta[1]"])?;
    println!(
        "Wrote {} CSV files, eight_schools.json and eight_schools_trace.svg to {}",
        csvs.len(),
        out.display()
    );
    Ok(())
}
