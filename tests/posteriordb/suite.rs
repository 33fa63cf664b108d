//! The list of posteriordb posteriors that the suite samples, with the sampler settings of
//! each, shared by the tests and by `examples/posteriordb_report.rs`.
//!
//! Every posterior runs with Stan's defaults (4 chains of 1000 warm-up iterations and 1000
//! draws) and the committed seed; an entry departs from them only where a Stan user would, and
//! says why.

use crate::harness::{self, Report};
use crate::models;
use tilde::nuts::{MetricAdaptation, MetricKind};
use tilde::reference::PosteriorDb;
use tilde::sampler::Sampler;

/// The committed seed; `TILDE_POSTERIORDB_SEED` overrides it, to check that a pass does not
/// hang on one lucky seed.
pub fn seed() -> u64 {
    match std::env::var("TILDE_POSTERIORDB_SEED") {
        Ok(s) => s.parse().unwrap_or_else(|_| panic!("TILDE_POSTERIORDB_SEED={s} is not a u64")),
        Err(_) => 20261203,
    }
}

/// The sampler's metric and its adaptation, or those that `TILDE_POSTERIORDB_METRIC` names
/// (`windowed`, `draws_gradients` or `dense`), to compare them on the whole suite. A posterior
/// whose settings choose a metric keeps it.
fn with_metric(sampler: Sampler) -> Sampler {
    match std::env::var("TILDE_POSTERIORDB_METRIC").as_deref() {
        Err(_) => sampler,
        Ok("windowed") => sampler.metric_adaptation(MetricAdaptation::Windowed),
        Ok("draws_gradients") => sampler.metric_adaptation(MetricAdaptation::DrawsAndGradients),
        Ok("dense") => sampler.metric(MetricKind::Dense),
        Ok(other) => {
            panic!("TILDE_POSTERIORDB_METRIC={other}: expected windowed, draws_gradients or dense")
        }
    }
}

/// Stan's defaults: 4 chains of 1000 warm-up iterations and 1000 draws.
pub fn stan_defaults() -> Sampler {
    with_metric(Sampler::new().chains(4).warmup(1000).draws(1000).seed(seed()))
}

/// One posterior of the suite.
pub struct Posterior {
    /// posteriordb's name, `<data>-<model>`.
    pub name: &'static str,
    /// Builds the model from posteriordb's data, samples it with `sampler` and compares it.
    run: fn(&PosteriorDb, &Sampler) -> Report,
    /// The sampler settings beyond Stan's defaults.
    settings: fn(Sampler) -> Sampler,
    /// Builds the model and compares its reverse-mode gradient with the dual-number one.
    pub gradients: fn(&PosteriorDb) -> Vec<String>,
}

/// The data set's name: the part of a posterior's name before the first `-`.
fn data_name(posterior: &str) -> &str {
    posterior.split_once('-').map_or(posterior, |(data, _)| data)
}

impl Posterior {
    /// Samples the posterior with its settings and the suite's seed, and compares it.
    pub fn check(&self) -> Report {
        let db = harness::db();
        (self.run)(&db, &(self.settings)(stan_defaults()))
    }

    /// Samples the posterior as [`Posterior::check`] does, but learning a diagonal metric the
    /// way `how` says (a posterior whose settings choose the dense metric keeps it).
    // Only `examples/posteriordb_report.rs --compare` calls this, not the test binary.
    #[allow(dead_code)]
    pub fn check_adapting(&self, how: MetricAdaptation) -> Report {
        let db = harness::db();
        (self.run)(&db, &(self.settings)(stan_defaults().metric_adaptation(how)))
    }
}

/// Looks a posterior up by name.
pub fn posterior(name: &str) -> &'static Posterior {
    POSTERIORS
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("{name} is not in the suite"))
}

/// Declares the suite: the table `POSTERIORS` and, in the test binary, one `#[test]` per entry,
/// named after the posterior.
macro_rules! suite {
    ($($(#[$attr:meta])* $test:ident: $name:literal => $model:ident $(, $settings:expr)?;)*) => {
        /// Every posterior of the suite, in posteriordb's order of difficulty.
        pub static POSTERIORS: &[Posterior] = &[$(
            Posterior {
                name: $name,
                run: |db, sampler| {
                    let data = match db.data(data_name($name)) {
                        Ok(data) => data,
                        Err(e) => panic!("{}: {e}", $name),
                    };
                    let model = match models::$model::new(&data) {
                        Ok(model) => model,
                        Err(e) => panic!("{}: {e}", $name),
                    };
                    harness::compare($name, &model, sampler)
                },
                settings: suite!(@settings $($settings)?),
                gradients: |db| {
                    let data = db.data(data_name($name)).expect($name);
                    let model = models::$model::new(&data).expect($name);
                    harness::gradient_disagreements($name, &model)
                },
            },
        )*];

        $(
            #[cfg(test)]
            #[test]
            $(#[$attr])*
            fn $test() {
                let report = posterior($name).check();
                println!("{report}");
                harness::assert_matches(&report);
            }
        )*
    };
    (@settings) => { |s| s };
    (@settings $settings:expr) => { $settings };
}

suite! {
    kidiq_kidscore_momhs: "kidiq-kidscore_momhs" => KidscoreMomhs;
    kidiq_kidscore_momiq: "kidiq-kidscore_momiq" => KidscoreMomiq;
    kidiq_kidscore_momhsiq: "kidiq-kidscore_momhsiq" => KidscoreMomhsiq;
    mesquite_mesquite: "mesquite-mesquite" => Mesquite;
    earnings_earn_height: "earnings-earn_height" => EarnHeight;
    kilpisjarvi_mod_kilpisjarvi: "kilpisjarvi_mod-kilpisjarvi" => Kilpisjarvi;
    sblri_blr: "sblri-blr" => Blr;
    sblrc_blr: "sblrc-blr" => Blr;
    kidiq_with_mom_work_kidscore_interaction_c:
        "kidiq_with_mom_work-kidscore_interaction_c" => KidscoreInteractionC;
    kidiq_with_mom_work_kidscore_interaction_z:
        "kidiq_with_mom_work-kidscore_interaction_z" => KidscoreInteractionZ;
    kidiq_with_mom_work_kidscore_interaction_c2:
        "kidiq_with_mom_work-kidscore_interaction_c2" => KidscoreInteractionC2;
    mesquite_logmesquite_logvolume: "mesquite-logmesquite_logvolume" => LogmesquiteLogvolume;
    earnings_logearn_interaction_z: "earnings-logearn_interaction_z" => LogearnInteractionZ;
    mesquite_logmesquite: "mesquite-logmesquite" => Logmesquite;
    mesquite_logmesquite_logva: "mesquite-logmesquite_logva" => LogmesquiteLogva;
    mesquite_logmesquite_logvash: "mesquite-logmesquite_logvash" => LogmesquiteLogvash;
    mesquite_logmesquite_logvas: "mesquite-logmesquite_logvas" => LogmesquiteLogvas;
    earnings_logearn_height: "earnings-logearn_height" => LogearnHeight;
    earnings_logearn_height_male: "earnings-logearn_height_male" => LogearnHeightMale;
    kidiq_kidscore_interaction: "kidiq-kidscore_interaction" => KidscoreInteraction;
    earnings_logearn_interaction: "earnings-logearn_interaction" => LogearnInteraction;
    earnings_logearn_logheight_male: "earnings-logearn_logheight_male" => LogearnLogheightMale;
    kidiq_with_mom_work_kidscore_mom_work:
        "kidiq_with_mom_work-kidscore_mom_work" => KidscoreMomWork;
    nes1972_nes: "nes1972-nes" => Nes;
    nes1976_nes: "nes1976-nes" => Nes;
    nes1980_nes: "nes1980-nes" => Nes;
    nes1984_nes: "nes1984-nes" => Nes;
    nes1988_nes: "nes1988-nes" => Nes;
    nes1992_nes: "nes1992-nes" => Nes;
    nes1996_nes: "nes1996-nes" => Nes;
    nes2000_nes: "nes2000-nes" => Nes;
    earnings_log10earn_height: "earnings-log10earn_height" => Log10earnHeight;
    eight_schools_eight_schools_noncentered:
        "eight_schools-eight_schools_noncentered" => EightSchoolsNoncentered;
    // The centred parameterisation has a funnel between tau and theta; a Stan user who sees
    // the divergences at the default 0.8 raises adapt_delta, as posteriordb's reference run did.
    eight_schools_eight_schools_centered:
        "eight_schools-eight_schools_centered" => EightSchoolsCentered, |s| s.adapt_delta(0.95);
    ark_ark: "arK-arK" => ArK;
    arma_arma11: "arma-arma11" => Arma11;
    garch_garch11: "garch-garch11" => Garch11;
    low_dim_gauss_mix_low_dim_gauss_mix: "low_dim_gauss_mix-low_dim_gauss_mix" => LowDimGaussMix;
    // A 5000 x 24 design matrix whose correlated columns (condition number 2.6e5) push most
    // transitions to the maximum tree depth with a diagonal metric (about 6.5 million
    // gradients). A Stan user who sees the tree-depth warnings switches to the dense metric
    // (`metric=dense_e`), which learns the correlations.
    diamonds_diamonds: "diamonds-diamonds" => Diamonds, |s| s.metric(MetricKind::Dense);
    gp_pois_regr_gp_regr: "gp_pois_regr-gp_regr" => GpRegr;
    gp_pois_regr_gp_pois_regr: "gp_pois_regr-gp_pois_regr" => GpPoisRegr;
    hmm_example_hmm_example: "hmm_example-hmm_example" => HmmExample;
    bball_drive_event_1_hmm_drive_1: "bball_drive_event_1-hmm_drive_1" => HmmDrive1;
    bball_drive_event_0_hmm_drive_0: "bball_drive_event_0-hmm_drive_0" => HmmDrive0;
    // The residual-sd GP's length scale has a long, thin tail that the default step size
    // cannot follow: chains stall there with divergences. posteriordb's reference run used
    // adapt_delta 0.999; 0.99 is what a Stan user tries first when the divergences show up.
    // The two GPs' coefficients are correlated with their scales, and the dense metric
    // (`metric=dense_e`) learns that: a third of the diagonal metric's time.
    mcycle_gp_accel_gp: "mcycle_gp-accel_gp" => AccelGp,
        |s| s.adapt_delta(0.99).metric(MetricKind::Dense);
    // Stan's defaults. An initial point with fast prey growth (theta[1] near 7) gives spiky
    // cycles whose troughs fall far below the absolute tolerance of 1e-3, where log(z) is noise;
    // a chain that starts there can stay, with a tiny step size (seeds 7 and 99 leave one of
    // four chains there). Stan's RK45 also controls the error of the sensitivities, which
    // there exceed the 500-step limit, so Stan rejects such starting points.
    hudson_lynx_hare_lotka_volterra: "hudson_lynx_hare-lotka_volterra" => LotkaVolterra;
    // K_m and V_m share a long right tail (correlation 0.95 under half-Cauchy priors) that
    // gives divergences at the default 0.8; posteriordb's reference run used 0.99.
    one_comp_mm_elim_abs_one_comp_mm_elim_abs:
        "one_comp_mm_elim_abs-one_comp_mm_elim_abs" => OneCompMmElimAbs, |s| s.adapt_delta(0.99);
}
