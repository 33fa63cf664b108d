//! CDFs at the ends of the support and deep in the lower tail, where the general formulas take
//! logs of zero or underflow.

use tilde_runtime::dist::{gamma_cdf, gamma_lccdf, gamma_lcdf};
use tilde_runtime::math::args::Data;

#[test]
fn gamma_cdfs_at_the_ends_of_the_support() {
    let (a, b) = (Data(3.0), Data(1.5));
    assert_eq!(gamma_lcdf::<f64>(Data(0.0), a, b).unwrap(), f64::NEG_INFINITY);
    assert_eq!(gamma_cdf::<f64>(Data(0.0), a, b).unwrap(), 0.0);
    assert_eq!(gamma_lccdf::<f64>(Data(0.0), a, b).unwrap(), 0.0);
    assert_eq!(gamma_lcdf::<f64>(Data(f64::INFINITY), a, b).unwrap(), 0.0);
    assert_eq!(gamma_lccdf::<f64>(Data(f64::INFINITY), a, b).unwrap(), f64::NEG_INFINITY);
}

#[test]
fn gamma_lcdf_in_the_far_lower_tail_and_in_the_bulk() {
    // mpmath: log(gammainc(0.5, 0, 1e-300, regularized=True)).
    let tail = gamma_lcdf::<f64>(Data(1e-300), Data(0.5), Data(1.0)).unwrap();
    assert!((tail - -345.266_981_711_471_6).abs() < 1e-12 * 345.0, "{tail}");
    // mpmath: log(gammainc(3, 0, 3, regularized=True)); y = 2 at rate 1.5.
    let bulk = gamma_lcdf::<f64>(Data(2.0), Data(3.0), Data(1.5)).unwrap();
    assert!((bulk - -0.550_242_496_777_221_1).abs() < 1e-12, "{bulk}");
}
