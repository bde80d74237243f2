//! One printf conversion, as Python's `%` operator writes it: `%-8s`,
//! `%05d`, `%.3f`, `%e`, `%g`, `%x`, with flags, width and precision.

/// A printf conversion spec: `%(name)-8.3s`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Spec {
    /// `-`: pad on the right.
    pub(super) left: bool,
    /// `0`: pad numbers with zeros.
    pub(super) zero: bool,
    /// `+`: a sign on positive numbers too.
    pub(super) plus: bool,
    /// The least width, in characters.
    pub(super) width: usize,
    /// Digits after the point (`f`, `e`), significant digits (`g`), or the
    /// most characters of a string.
    pub(super) precision: Option<usize>,
    /// The conversion letter.
    pub(super) conversion: char,
}

/// A record attribute's value, as Python would hold it.
pub(super) enum Val {
    Str(String),
    Int(i64),
    Float(f64),
}

impl Spec {
    /// Writes `value` to `out` as this spec says.
    pub(super) fn write(&self, out: &mut String, value: &Val) {
        let body = match (self.conversion, value) {
            ('d' | 'i', Val::Int(n)) => sign(self.plus, *n >= 0) + &n.to_string(),
            ('d' | 'i', Val::Float(f)) => {
                sign(self.plus, *f >= 0.0) + &(f.trunc() as i64).to_string()
            }
            ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Val::Float(f)) => self.float(*f),
            ('f' | 'F' | 'e' | 'E' | 'g' | 'G', Val::Int(n)) => self.float(*n as f64),
            // Python writes a negative hexadecimal number with a sign, not
            // in two's complement.
            ('x', Val::Int(n)) => format!(
                "{}{:x}",
                minus_or_plus(self.plus, *n >= 0),
                n.unsigned_abs()
            ),
            ('X', Val::Int(n)) => format!(
                "{}{:X}",
                minus_or_plus(self.plus, *n >= 0),
                n.unsigned_abs()
            ),
            (_, Val::Str(s)) if self.conversion == 'r' || self.conversion == 'a' => {
                format!("'{s}'")
            }
            (_, Val::Str(s)) => match self.precision {
                Some(p) => s.chars().take(p).collect(),
                None => s.clone(),
            },
            (_, Val::Int(n)) => n.to_string(),
            (_, Val::Float(f)) => f.to_string(),
        };
        let pad = self.width.saturating_sub(body.chars().count());
        if self.left {
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', pad));
        } else if self.zero && !matches!(value, Val::Str(_)) {
            let (sign, digits) = body.split_at(usize::from(body.starts_with(['-', '+'])));
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', pad));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', pad));
            out.push_str(&body);
        }
    }
}

impl Spec {
    /// `%f`, `%e` and `%g` (and their upper-case forms) as Python's
    /// printf-style formatting writes them: `1234.567800`, `1.234568e+03`,
    /// `1234.57`; the precision defaults to 6.
    fn float(&self, f: f64) -> String {
        let precision = self.precision.unwrap_or(6);
        let upper = self.conversion.is_ascii_uppercase();
        let body = match self.conversion.to_ascii_lowercase() {
            'e' => exponent_form(f, precision, upper),
            'g' => general_form(f, precision, upper),
            _ => format!("{f:.precision$}"),
        };
        // The sign of a negative number is in `body` already.
        format!("{}{body}", sign(self.plus, f >= 0.0 || f.is_nan()))
    }
}

/// `%e`: one digit, the fraction to `precision` digits, and an exponent of
/// at least two digits with its sign (C's printf, which Python follows).
fn exponent_form(f: f64, precision: usize, upper: bool) -> String {
    if !f.is_finite() {
        return non_finite(f, upper);
    }
    let text = format!("{f:.precision$e}");
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exponent < 0 { '-' } else { '+' };
    format!("{mantissa}{e}{sign}{:02}", exponent.unsigned_abs())
}

/// `%g`: `precision` significant digits (0 counts as 1), in `%e` form when
/// the exponent is below -4 or not below the precision, else in `%f` form;
/// trailing zeros and a trailing point removed.
fn general_form(f: f64, precision: usize, upper: bool) -> String {
    if !f.is_finite() {
        return non_finite(f, upper);
    }
    let significant = precision.max(1);
    // The exponent after rounding to that many digits decides the form.
    let rounded = format!("{f:.*e}", significant - 1);
    let exponent: i32 = rounded
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let text = if exponent < -4 || exponent >= significant as i32 {
        exponent_form(f, significant - 1, upper)
    } else {
        let decimals = (significant as i32 - 1 - exponent).max(0) as usize;
        format!("{f:.decimals$}")
    };
    let (number, exponent_part) = match text.find(['e', 'E']) {
        Some(at) => text.split_at(at),
        None => (text.as_str(), ""),
    };
    let number = if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    };
    format!("{number}{exponent_part}")
}

/// Python's spelling of infinities and NaN.
fn non_finite(f: f64, upper: bool) -> String {
    let text = if f.is_nan() {
        "nan"
    } else if f < 0.0 {
        "-inf"
    } else {
        "inf"
    };
    if upper {
        text.to_ascii_uppercase()
    } else {
        text.to_owned()
    }
}

/// The sign Python puts before a number: `-` for a negative one, `+` for
/// another with the `+` flag.
fn minus_or_plus(plus: bool, positive: bool) -> &'static str {
    match (plus, positive) {
        (_, false) => "-",
        (true, true) => "+",
        (false, true) => "",
    }
}

fn sign(plus: bool, positive: bool) -> String {
    if plus && positive {
        "+".into()
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(conversion: char, precision: Option<usize>, plus: bool, width: usize) -> Spec {
        Spec {
            conversion,
            precision,
            plus,
            width,
            ..Spec::default()
        }
    }

    fn render(spec: &Spec, value: f64) -> String {
        let mut out = String::new();
        spec.write(&mut out, &Val::Float(value));
        out
    }

    /// Each row: the value, then Python 3.11's `'%e' % v`, `'%.2e' % v`,
    /// `'%E' % v`, `'%g' % v`, `'%.3g' % v`, `'%G' % v`, `'%.0g' % v`,
    /// `'%+e' % v`, `'%12.3e' % v`, `'%.10g' % v`.
    const PYTHON: [(f64, [&str; 10]); 12] = [
        (
            0.0,
            [
                "0.000000e+00",
                "0.00e+00",
                "0.000000E+00",
                "0",
                "0",
                "0",
                "0",
                "+0.000000e+00",
                "   0.000e+00",
                "0",
            ],
        ),
        (
            1.0,
            [
                "1.000000e+00",
                "1.00e+00",
                "1.000000E+00",
                "1",
                "1",
                "1",
                "1",
                "+1.000000e+00",
                "   1.000e+00",
                "1",
            ],
        ),
        (
            1234.5678,
            [
                "1.234568e+03",
                "1.23e+03",
                "1.234568E+03",
                "1234.57",
                "1.23e+03",
                "1234.57",
                "1e+03",
                "+1.234568e+03",
                "   1.235e+03",
                "1234.5678",
            ],
        ),
        (
            0.00012345,
            [
                "1.234500e-04",
                "1.23e-04",
                "1.234500E-04",
                "0.00012345",
                "0.000123",
                "0.00012345",
                "0.0001",
                "+1.234500e-04",
                "   1.234e-04",
                "0.00012345",
            ],
        ),
        (
            1e-05,
            [
                "1.000000e-05",
                "1.00e-05",
                "1.000000E-05",
                "1e-05",
                "1e-05",
                "1E-05",
                "1e-05",
                "+1.000000e-05",
                "   1.000e-05",
                "1e-05",
            ],
        ),
        (
            123456789.0,
            [
                "1.234568e+08",
                "1.23e+08",
                "1.234568E+08",
                "1.23457e+08",
                "1.23e+08",
                "1.23457E+08",
                "1e+08",
                "+1.234568e+08",
                "   1.235e+08",
                "123456789",
            ],
        ),
        (
            1764347106.123456,
            [
                "1.764347e+09",
                "1.76e+09",
                "1.764347E+09",
                "1.76435e+09",
                "1.76e+09",
                "1.76435E+09",
                "2e+09",
                "+1.764347e+09",
                "   1.764e+09",
                "1764347106",
            ],
        ),
        (
            -2.5,
            [
                "-2.500000e+00",
                "-2.50e+00",
                "-2.500000E+00",
                "-2.5",
                "-2.5",
                "-2.5",
                "-2",
                "-2.500000e+00",
                "  -2.500e+00",
                "-2.5",
            ],
        ),
        (
            100000.0,
            [
                "1.000000e+05",
                "1.00e+05",
                "1.000000E+05",
                "100000",
                "1e+05",
                "100000",
                "1e+05",
                "+1.000000e+05",
                "   1.000e+05",
                "100000",
            ],
        ),
        (
            1000000.0,
            [
                "1.000000e+06",
                "1.00e+06",
                "1.000000E+06",
                "1e+06",
                "1e+06",
                "1E+06",
                "1e+06",
                "+1.000000e+06",
                "   1.000e+06",
                "1000000",
            ],
        ),
        (
            0.0001,
            [
                "1.000000e-04",
                "1.00e-04",
                "1.000000E-04",
                "0.0001",
                "0.0001",
                "0.0001",
                "0.0001",
                "+1.000000e-04",
                "   1.000e-04",
                "0.0001",
            ],
        ),
        (
            9.9999995,
            [
                "9.999999e+00",
                "1.00e+01",
                "9.999999E+00",
                "10",
                "10",
                "10",
                "1e+01",
                "+9.999999e+00",
                "   1.000e+01",
                "9.9999995",
            ],
        ),
    ];

    #[test]
    fn e_and_g_conversions_match_python() {
        let specs = [
            spec('e', None, false, 0),
            spec('e', Some(2), false, 0),
            spec('E', None, false, 0),
            spec('g', None, false, 0),
            spec('g', Some(3), false, 0),
            spec('G', None, false, 0),
            spec('g', Some(0), false, 0),
            spec('e', None, true, 0),
            spec('e', Some(3), false, 12),
            spec('g', Some(10), false, 0),
        ];
        for (value, want) in PYTHON {
            for (spec, want) in specs.iter().zip(want) {
                assert_eq!(render(spec, value), want, "{value} with {spec:?}");
            }
        }
    }

    #[test]
    fn negative_hexadecimal_has_a_sign() {
        let mut out = String::new();
        spec('x', None, false, 0).write(&mut out, &Val::Int(-255));
        assert_eq!(out, "-ff");
    }
}
