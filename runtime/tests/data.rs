//! Stan JSON data input: the reading rules, their error messages, and field cases K27-K29.

use tilde_runtime::data::{
    DataErrorKind, DataSource, check_bounds_int, check_bounds_real, check_size,
};
use tilde_runtime::reference::PosteriorDb;

fn data(text: &str) -> DataSource {
    DataSource::from_json_str(text).unwrap()
}

fn message(result: Result<impl std::fmt::Debug, tilde_runtime::data::DataError>) -> String {
    result.unwrap_err().to_string()
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

#[test]
fn k27_every_spelling_of_nan_and_infinity() {
    let d = data(
        r#"{"a": "NaN", "b": "Inf", "c": "-Inf", "d": Infinity, "e": -Infinity, "f": NaN,
            "g": ["+inf", "-inf", 1], "h": ["Infinity", "-Infinity", "inf"]}"#,
    );
    let (inf, nan) = (f64::INFINITY, f64::NAN);
    for (name, want) in [("a", nan), ("b", inf), ("c", -inf), ("d", inf), ("e", -inf), ("f", nan)] {
        assert!(same(d.real(name).unwrap(), want), "{name}");
    }
    assert_eq!(d.reals("g", &[3]).unwrap(), [inf, -inf, 1.0]);
    assert_eq!(d.reals("h", &[3]).unwrap(), [inf, -inf, inf]);
}

#[test]
fn k27_nan_and_infinity_are_errors_for_an_int() {
    let d = data(r#"{"n": "NaN", "m": Infinity, "k": [1, "-inf"]}"#);
    assert_eq!(message(d.int("n")), "n: expected an integer, found NaN");
    assert_eq!(message(d.int("m")), "m: expected an integer, found inf");
    assert_eq!(message(d.ints("k", &[2])), "k[2]: expected an integer, found -inf");
}

#[test]
fn bare_tokens_are_not_replaced_inside_strings() {
    let d = data(r#"{"NaN": "x NaN Infinity", "Infinity": -Infinity}"#);
    assert_eq!(d.real("Infinity").unwrap(), f64::NEG_INFINITY);
    assert_eq!(
        message(d.real("NaN")),
        "NaN: expected a real number, found the string \"x NaN Infinity\""
    );
}

/// `data { int n; array[n, n] real x; matrix[0, 3] m; array[n] vector[3] v; vector[n] w; }`
fn read_k28(d: &DataSource) -> Result<(), tilde_runtime::data::DataError> {
    let n = check_size("n", d.int("n")?)?;
    assert!(d.reals("x", &[n, n])?.is_empty());
    assert!(d.reals("m", &[0, 3])?.is_empty());
    assert!(d.reals("v", &[n, 3])?.is_empty());
    assert!(d.reals("w", &[n])?.is_empty());
    Ok(())
}

#[test]
fn k28_zero_size_containers() {
    read_k28(&data(r#"{"n": 0, "x": [], "m": [], "v": [], "w": []}"#)).unwrap();
    read_k28(&data(r#"{"n": 0, "x": [], "m": [[]], "v": [], "w": []}"#)).unwrap();
    read_k28(&data(r#"{"n": 0}"#)).unwrap();
    let d = data(r#"{"n": 1, "x": [], "m": [], "v": [], "w": []}"#);
    assert_eq!(message(read_k28(&d)), "x: dimension 1 has size 0, expected 1");
}

#[test]
fn zero_size_containers_must_still_be_empty() {
    let d = data(r#"{"m": [[1, 2, 3]], "s": 5}"#);
    assert_eq!(message(d.reals("m", &[0, 3])), "m: dimension 1 has size 1, expected 0");
    assert_eq!(message(d.reals("s", &[0])), "s: expected an array of size 0, found 5");
}

#[test]
fn k29_integers_written_as_reals() {
    let d = data(r#"{"N": 10, "x": 10}"#);
    assert_eq!((d.int("N").unwrap(), d.real("x").unwrap()), (10, 10.0));
    // Tilde accepts an exactly integral real for an int, unlike CmdStan (see the module docs).
    assert_eq!(data(r#"{"N": 10.0}"#).int("N").unwrap(), 10);
    assert_eq!(data(r#"{"N": 1e6}"#).int("N").unwrap(), 1_000_000);
    assert_eq!(data(r#"{"N": -2.0E+1}"#).int("N").unwrap(), -20);
    assert_eq!(message(data(r#"{"N": 1.5}"#).int("N")), "N: expected an integer, found 1.5");
}

#[test]
fn non_integral_element_names_the_variable_and_index() {
    let d = data(r#"{"y": [1, 2, 2.5, 4], "z": [[1, 2], [3, 4.25]]}"#);
    assert_eq!(message(d.ints("y", &[4])), "y[3]: expected an integer, found 2.5");
    assert_eq!(message(d.ints("z", &[2, 2])), "z[2, 2]: expected an integer, found 4.25");
}

#[test]
fn integers_beyond_64_bits_are_errors() {
    let d = data(
        r#"{"a": 9223372036854775807, "b": 9223372036854775808, "c": 1e19,
                    "d": -9223372036854775808, "e": 9.2233720368547758e18}"#,
    );
    assert_eq!(d.int("a").unwrap(), i64::MAX);
    assert_eq!(d.int("d").unwrap(), i64::MIN);
    let range = "expected an integer between -2^63 and 2^63 - 1";
    assert_eq!(message(d.int("b")), format!("b: {range}, found 9.223372036854776e18"));
    assert_eq!(message(d.int("c")), format!("c: {range}, found 1e19"));
    assert_eq!(message(d.int("e")), format!("e: {range}, found 9.223372036854776e18"));
    // As a real, a large integer literal is simply the nearest double.
    assert_eq!(d.real("b").unwrap(), 2f64.powi(63));
}

#[test]
fn missing_variable() {
    let d = data(r#"{"M": 3}"#);
    assert_eq!(message(d.int("N")), "variable `N` is missing from the data");
    assert_eq!(message(d.reals("y", &[2])), "variable `y` is missing from the data");
    // A variable with a zero-size dimension may be left out.
    assert_eq!(d.reals("y", &[2, 0, 1]).unwrap(), Vec::<f64>::new());
}

#[test]
fn extra_fields_are_ignored() {
    let d = data(r#"{"year": [1, "x", {"a": null}], "N": 2, "notes": {"k": [true]}}"#);
    assert_eq!(d.int("N").unwrap(), 2);
}

#[test]
fn matrices_and_arrays_of_vectors_are_row_major() {
    let d = data(r#"{"m": [[1, 2, 3], [4, 5, 6.5]], "a": [[[1], [2]], [[3], [4]]]}"#);
    assert_eq!(d.reals("m", &[2, 3]).unwrap(), [1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
    assert_eq!(d.ints("a", &[2, 2, 1]).unwrap(), [1, 2, 3, 4]);
}

#[test]
fn shape_errors_name_the_dimension_and_row() {
    let d = data(r#"{"m": [[1, 2, 3], [4, 5]], "v": [1, [2]], "s": [1], "t": 3}"#);
    assert_eq!(message(d.reals("m", &[2, 3])), "m: dimension 2 has size 2, expected 3 in m[2]");
    assert_eq!(message(d.reals("m", &[3, 3])), "m: dimension 1 has size 2, expected 3");
    assert_eq!(
        message(d.reals("v", &[2])),
        "v[2]: expected a real number, found an array of size 1"
    );
    assert_eq!(message(d.real("s")), "s: expected a real number, found an array of size 1");
    assert_eq!(message(d.reals("t", &[3])), "t: expected an array of size 3, found 3");
}

#[test]
fn wrong_json_types_are_described() {
    let d = data(r#"{"a": "ten", "b": true, "c": null, "d": {"x": 1}}"#);
    assert_eq!(message(d.int("a")), "a: expected an integer, found the string \"ten\"");
    assert_eq!(message(d.real("b")), "b: expected a real number, found true");
    assert_eq!(message(d.real("c")), "c: expected a real number, found null");
    assert_eq!(message(d.ints("d", &[1])), "d: expected an array of size 1, found an object");
}

#[test]
fn malformed_json_gives_line_and_column() {
    let err = DataSource::from_json_str("{\n  \"N\": 3,\n  \"y\": [1, 2,]\n}").unwrap_err();
    assert_eq!(err.kind(), DataErrorKind::Syntax { line: 3, column: 14 });
    assert_eq!(err.to_string(), "line 3, column 14: expected a value, found `]`");
    let err = DataSource::from_json_str("{\"N\": 3").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1, column 8: expected `,` or `}`, found the end of the input"
    );
}

#[test]
fn from_value_reads_serde_json() {
    let v = serde_json::json!({
        "N": 3, "x": [1, 2.5, "-Infinity"], "M": 4.0, "B": 18446744073709551615u64
    });
    let d = DataSource::from_value(v).unwrap();
    assert_eq!(d.int("N").unwrap(), 3);
    assert_eq!(d.int("M").unwrap(), 4);
    assert_eq!(d.reals("x", &[3]).unwrap(), [1.0, 2.5, f64::NEG_INFINITY]);
    assert_eq!(
        message(d.int("B")),
        "B: expected an integer between -2^63 and 2^63 - 1, found 1.8446744073709552e19"
    );
    assert_eq!(
        message(DataSource::from_value(serde_json::json!([1]))),
        "data: expected a JSON object, found an array of size 1"
    );
}

#[test]
fn files_are_named_in_errors() {
    let dir = std::env::temp_dir().join(format!("tilde-data-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.json");
    std::fs::write(&path, "{\"N\": 3,\n\"x\": [1 2]}").unwrap();
    let err = DataSource::from_json_file(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("{}: line 2, column 9: expected `,` or `]`, found `2`", path.display())
    );
    let good = dir.join("good.json");
    std::fs::write(&good, "{\"N\": 3}").unwrap();
    assert_eq!(DataSource::from_json_file(&good).unwrap().int("N").unwrap(), 3);
    let missing = dir.join("absent.json");
    let err = DataSource::from_json_file(&missing).unwrap_err();
    assert_eq!(err.kind(), DataErrorKind::Io);
    assert!(err.to_string().starts_with(&format!("{}: ", missing.display())), "{err}");
    let err = DataSource::from_zip_file(&good).unwrap_err();
    assert_eq!(err.kind(), DataErrorKind::Archive);
    assert!(
        err.to_string().starts_with(&format!("{}: expected a zip archive, found ", good.display())),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Writes a zip archive with these members (name, text) and returns its path.
fn zip_with(dir: &std::path::Path, file: &str, members: &[(&str, &str)]) -> std::path::PathBuf {
    use std::io::Write;
    let path = dir.join(file);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    zip.add_directory("folder/", options).unwrap();
    for (name, text) in members {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn zip_archives_hold_one_member_of_any_name() {
    let dir = std::env::temp_dir().join(format!("tilde-zip-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let one = zip_with(&dir, "one.zip", &[("folder/any name.txt", "{\"N\": 4}")]);
    assert_eq!(DataSource::from_zip_file(&one).unwrap().int("N").unwrap(), 4);
    let two = zip_with(&dir, "two.zip", &[("a.json", "{}"), ("b.json", "{}")]);
    let err = DataSource::from_zip_file(&two).unwrap_err();
    let expected =
        format!("{}: expected a zip archive with one member, found 2 members", two.display());
    assert_eq!(err.to_string(), expected);
    let bad = zip_with(&dir, "bad.zip", &[("d.json", "{\"N\": 4,}")]);
    let err = DataSource::from_zip_file(&bad).unwrap_err();
    let expected =
        format!("{}: line 1, column 9: expected a quoted variable name, found `}}`", bad.display());
    assert_eq!(err.to_string(), expected);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_byte_order_mark_is_skipped() {
    assert_eq!(data("\u{feff}{\"N\": 2}").int("N").unwrap(), 2);
}

#[test]
fn bound_checks_name_the_element() {
    let sigma = [1.0, 2.0, -1.0];
    assert_eq!(
        message(check_bounds_real("sigma", &sigma, &[3], Some(0.0), None)),
        "sigma[3] is -1, but must be >= 0"
    );
    let p = [0.5, 0.25, 0.0, 1.5];
    assert_eq!(
        message(check_bounds_real("p", &p, &[2, 2], Some(0.0), Some(1.0))),
        "p[2, 2] is 1.5, but must be <= 1"
    );
    check_bounds_real("p", &p[..3], &[3], Some(0.0), Some(1.0)).unwrap();
    assert_eq!(
        message(check_bounds_real("s", &[f64::NAN], &[], Some(0.0), None)),
        "s is NaN, but must be >= 0"
    );
    assert_eq!(
        message(check_bounds_real("u", &[f64::NAN], &[1], None, Some(0.0))),
        "u[1] is NaN, but must be <= 0"
    );
    check_bounds_real("w", &[f64::INFINITY], &[1], Some(0.0), None).unwrap();
    assert_eq!(
        message(check_bounds_int("y", &[0, 1, 2, 3, 4, 5], &[3, 2], Some(0), Some(4))),
        "y[3, 2] is 5, but must be <= 4"
    );
    assert_eq!(
        message(check_bounds_int("K", &[0], &[], Some(1), None)),
        "K is 0, but must be >= 1"
    );
    check_bounds_int("y", &[1, 2], &[2], Some(1), Some(2)).unwrap();
}

#[test]
fn negative_sizes_are_errors() {
    assert_eq!(check_size("N", 7).unwrap(), 7);
    assert_eq!(check_size("N", 0).unwrap(), 0);
    let err = check_size("N", -1).unwrap_err();
    assert_eq!(err.kind(), DataErrorKind::Size);
    assert_eq!(err.to_string(), "size `N` is -1, but must be >= 0");
}

#[test]
fn errors_carry_their_parts() {
    let err = data(r#"{"y": [1, 2, 2.5]}"#).ints("y", &[3]).unwrap_err();
    assert_eq!(err.kind(), DataErrorKind::Value);
    assert_eq!(err.variable(), Some("y"));
    assert_eq!(err.index(), Some(&[3][..]));
    assert_eq!((err.expected(), err.found()), ("an integer", "2.5"));
}

#[test]
fn eight_schools_data_from_posteriordb() {
    let db = PosteriorDb::locate().unwrap_or_else(|e| panic!("{e}"));
    let d = db.data("eight_schools").unwrap();
    let j = check_size("J", d.int("J").unwrap()).unwrap();
    assert_eq!(j, 8);
    // Declared `array[J] real y` and `array[J] real<lower=0> sigma`, written as integers.
    assert_eq!(d.reals("y", &[j]).unwrap(), [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0]);
    let sigma = d.reals("sigma", &[j]).unwrap();
    assert_eq!(sigma, [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0]);
    check_bounds_real("sigma", &sigma, &[j], Some(0.0), None).unwrap();
}
