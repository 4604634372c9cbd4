//! Every number the report prints as text, in one place.
//!
//! Two audiences, two styles, kept apart on purpose (the outputs are byte-for-byte stable, so
//! neither style may drift into the other):
//!
//! - **Summary text** (the terminal summary, which `report.md` also quotes): fixed decimals so
//!   that lines of numbers read alike, and the familiar mass units: [`quantity_summary`]
//!   (`2.00 kt`), [`percent_summary`] (`63.0 %`), [`yuan`] (`7.3 million yuan`). The `report.md`
//!   tables print whole numbers with [`grouped`] (`78 000 000`).
//! - **Chart labels** (bar chart tonnes column, map labels, legends): as short as possible, three
//!   significant figures and an SI prefix: [`quantity_chart`] (`48.2 Mt`, `2 M kg`),
//!   [`percent_chart`] (`63 %`), and the axis ticks [`percent_tick`] and [`degrees`].
//!
//! Machine-readable outputs (CSV cells, JSON numbers) are not text for people: they round with
//! [`round`] and keep full precision otherwise ([`csv_number`], [`csv_rate`]).

/// Rounds to `d` decimals for stable, readable output (and turns -0 into 0).
pub fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    let r = (x * f).round() / f;
    if r == 0.0 {
        0.0
    } else {
        r
    }
}

/// `x` with `decimals` decimals, never `-0` (`-0.0` and `-0.004` to two decimals print
/// `0.00`, as a value that rounds to zero has no sign). Every fixed-decimal number of the text
/// outputs goes through here.
pub fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// A CSV cell: `x` rounded to `d` decimals, printed in full (`1234.5`, `0`).
pub fn csv_number(x: f64, d: i32) -> String {
    round(x, d).to_string()
}

/// A CSV cell for an optional rate: six decimals, or empty when there is no rate.
pub fn csv_rate(r: Option<f64>) -> String {
    r.map(|r| csv_number(r, 6)).unwrap_or_default()
}

/// A quantity in the summary text: two decimals after scaling tonnes to kt / Mt and kilograms
/// to t / kt (`2.00 kt` for 2e6 kg, `48.20 Mt`); other units unscaled (`12.00 m³`).
///
/// Used by the terminal summary (and so the summary block of `report.md`): fixed decimals keep
/// its lines uniform, and hydrogen in kg reads in the same mass units as the solids.
pub fn quantity_summary(x: f64, unit: &str) -> String {
    let (v, u) = match unit {
        "t" if x.abs() >= 1e6 => (x / 1e6, "Mt"),
        "t" if x.abs() >= 1e3 => (x / 1e3, "kt"),
        "kg" if x.abs() >= 1e6 => (x / 1e6, "kt"),
        "kg" if x.abs() >= 1e3 => (x / 1e3, "t"),
        _ => (x, unit),
    };
    format!("{} {u}", fixed(v, 2))
}

/// Several quantities of one line in the summary text, all in the unit [`quantity_summary`]
/// picks for the largest of them (`1.00 t generated, 0.60 t utilised`, never `1.00 t` beside
/// `600.00 kg`).
pub fn quantities_summary<const N: usize>(xs: [f64; N], unit: &str) -> [String; N] {
    let largest = xs.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let probe = quantity_summary(largest, unit);
    let shown = probe.rsplit(' ').next().unwrap_or(unit).to_string();
    let scale = match (unit, shown.as_str()) {
        ("t", "Mt") | ("kg", "kt") => 1e6,
        ("t", "kt") | ("kg", "t") => 1e3,
        _ => 1.0,
    };
    xs.map(|x| format!("{} {shown}", fixed(x / scale, 2)))
}

/// Transport work in the summary text: whole units below a million, else millions or billions
/// with two decimals (`1 250 t·km`, `3.81 million t·km`), `unit_km` being `t·km` or `kg·km`.
pub fn work_summary(x: f64, unit_km: &str) -> String {
    match x.abs() {
        a if a >= 1e9 => format!("{} billion {unit_km}", fixed(x / 1e9, 2)),
        a if a >= 1e6 => format!("{} million {unit_km}", fixed(x / 1e6, 2)),
        _ => format!("{} {unit_km}", grouped(x)),
    }
}

/// A quantity on a chart: three significant figures, trailing zeros dropped, an SI prefix;
/// tonnes use `kt`, `Mt`, `Gt` (`48.2 Mt`, `5 Mt`), other units a separate prefix
/// (`2 M kg`, `4.5 M m³`). Non-finite input reads as 0.
///
/// Used by the charts (the utilisation chart's tonnes column, park labels and the map legend),
/// where labels must stay short; any unit is scaled the same way.
pub fn quantity_chart(q: f64, unit: &str) -> String {
    let q = if q.is_finite() { q } else { 0.0 };
    let (scale, prefix) = match q.abs() {
        a if a >= 1e9 => (1e9, "G"),
        a if a >= 1e6 => (1e6, "M"),
        a if a >= 1e3 => (1e3, "k"),
        _ => (1.0, ""),
    };
    let v = q / scale;
    let decimals = match v.abs() {
        a if a >= 99.95 => 0,
        a if a >= 9.995 => 1,
        _ => 2,
    };
    let mut s = fixed(v, decimals);
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    match (unit, prefix) {
        ("t", p) => format!("{s} {p}t"),
        (u, "") => format!("{s} {u}"),
        (u, p) => format!("{s} {p} {u}"),
    }
}

/// A yearly cost in the summary text: `7.3 million yuan` from a million up, else `-7280 yuan`.
pub fn yuan(x: f64) -> String {
    if x.abs() >= 1e6 {
        format!("{} million yuan", fixed(x / 1e6, 1))
    } else {
        format!("{} yuan", fixed(x, 0))
    }
}

/// A whole number with thin-space thousands separators (`78 000 000`) and a true minus sign;
/// never `-0`. Used by the `report.md` tables.
pub fn grouped(x: f64) -> String {
    let v = x.round();
    let digits = format!("{}", v.abs() as u128);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{2009}');
        }
        out.push(ch);
    }
    if v < 0.0 {
        format!("−{out}")
    } else {
        out
    }
}

/// A rate in the summary text and the `report.md` tables: one decimal (`63.0 %`), or `–` when
/// there is no rate (nothing generated).
pub fn percent_summary(r: Option<f64>) -> String {
    r.map(|r| format!("{} %", fixed(r * 100.0, 1)))
        .unwrap_or_else(|| "–".into())
}

/// A rate as a percentage for headings and labels (the target, the confidence): whole
/// (`80 %`) when it is, else with the fewest decimals (up to 4) that print it exactly
/// (`99.5 %`), else to 4 decimals (in full if that would read 100 %), or below 0.01 % in
/// scientific form (`1e-10 %`) — never rounded to a figure it is
/// not (a confidence of 1e-12 is not "0 %", nor 0.9999999 "100 %").
pub fn percent_whole(rate: f64) -> String {
    let p = rate * 100.0;
    for d in 0..=4 {
        let s = fixed(p, d);
        if s.parse::<f64>()
            .is_ok_and(|v| (v - p).abs() <= 1e-9 * p.abs().max(1e-300))
        {
            return format!("{s} %");
        }
    }
    let four = fixed(p, 4);
    let bound = four.parse::<f64>().is_ok_and(|v| v == 0.0 || v == 100.0);
    if p.abs() >= 0.01 && !bound {
        format!("{four} %")
    } else if p.abs() >= 0.01 {
        format!("{p} %")
    } else {
        format!("{p:e} %")
    }
}

/// A rate on a chart: a whole percentage (`63 %`), with one decimal below 10 % (`5.1 %`);
/// non-finite input reads as 0. Used for the bar labels and the target.
pub fn percent_chart(rate: f64) -> String {
    let p = if rate.is_finite() { rate * 100.0 } else { 0.0 };
    if p.abs() < 9.95 && p != 0.0 {
        format!("{} %", fixed(p, 1))
    } else {
        format!("{} %", fixed(p, 0))
    }
}

/// A tick of a percentage axis whose values are already in percent (`80 %`).
pub fn percent_tick(v: f64) -> String {
    format!("{} %", fixed(v, 0))
}

/// A tick of a longitude or latitude axis: `decimals` decimals, the hemisphere letter
/// `positive` or `negative` (`109.50°E`, `12.0°S`).
/// A value that rounds to zero has no hemisphere's sign (`0.00°E`, never `0.00°W`).
pub fn degrees(v: f64, decimals: usize, positive: char, negative: char) -> String {
    let shown = fixed(v.abs(), decimals);
    let zero = shown.bytes().all(|b| b == b'0' || b == b'.');
    format!(
        "{shown}°{}",
        if v < 0.0 && !zero { negative } else { positive }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_never_gives_minus_zero() {
        assert_eq!(round(1.23456, 3), 1.235);
        assert_eq!(round(-0.0001, 3), 0.0);
        assert!(round(-0.0001, 3).is_sign_positive());
        assert_eq!(csv_number(2.0, 3), "2");
        assert_eq!(csv_number(1234.56789, 2), "1234.57");
        assert_eq!(csv_rate(Some(0.1234567)), "0.123457");
        assert_eq!(csv_rate(None), "");
    }

    #[test]
    fn grouped_numbers_are_readable() {
        assert_eq!(grouped(78_000_000.0), "78\u{2009}000\u{2009}000");
        assert_eq!(grouped(999.4), "999");
        assert_eq!(grouped(-1234.0), "−1\u{2009}234");
        assert_eq!(grouped(-0.0), "0");
    }

    #[test]
    fn the_two_quantity_styles() {
        // The same 2e6 kg: summary text in mass units, chart label with an SI prefix.
        assert_eq!(quantity_summary(2e6, "kg"), "2.00 kt");
        assert_eq!(quantity_chart(2e6, "kg"), "2 M kg");
        assert_eq!(quantity_summary(600.0, "kg"), "600.00 kg");
        assert_eq!(quantity_summary(1000.0, "kg"), "1.00 t");
        assert_eq!(quantity_summary(4.82e7, "t"), "48.20 Mt");
        assert_eq!(quantity_summary(18.0, "t"), "18.00 t");
        assert_eq!(quantity_summary(-2500.0, "t"), "-2.50 kt");
        assert_eq!(quantity_summary(12.0, "m³"), "12.00 m³");
        assert_eq!(quantity_chart(4.82e7, "t"), "48.2 Mt");
        assert_eq!(quantity_chart(5e6, "t"), "5 Mt");
        assert_eq!(quantity_chart(1.234e9, "t"), "1.23 Gt");
        assert_eq!(quantity_chart(500_000.0, "t"), "500 kt");
        assert_eq!(quantity_chart(12.0, "t"), "12 t");
        assert_eq!(quantity_chart(0.0, "t"), "0 t");
        assert_eq!(quantity_chart(999_999.0, "t"), "1000 kt");
        assert_eq!(quantity_chart(f64::NAN, "t"), "0 t");
        assert_eq!(quantity_chart(4.5e6, "m³"), "4.5 M m³");
        assert_eq!(quantity_chart(30.0, "m³"), "30 m³");
        assert_eq!(quantity_chart(5e4, ""), "50 k ");
    }

    #[test]
    fn the_two_percent_styles_and_ticks() {
        assert_eq!(percent_summary(Some(0.63)), "63.0 %");
        assert_eq!(percent_summary(Some(0.8932)), "89.3 %");
        assert_eq!(percent_summary(None), "–");
        assert_eq!(percent_chart(0.63), "63 %");
        assert_eq!(percent_chart(0.051), "5.1 %");
        assert_eq!(percent_chart(0.0), "0 %");
        assert_eq!(percent_chart(1.08), "108 %");
        assert_eq!(percent_chart(f64::INFINITY), "0 %");
        assert_eq!(percent_tick(80.0), "80 %");
        assert_eq!(degrees(109.5, 2, 'E', 'W'), "109.50°E");
        assert_eq!(degrees(-12.0, 1, 'N', 'S'), "12.0°S");
    }

    /// Negative zero (a target of −0.0, a rounding of −0.004) never prints `-0` (issue #19).
    #[test]
    fn no_style_prints_minus_zero() {
        assert_eq!(fixed(-0.0, 0), "0");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-0.006, 2), "-0.01");
        assert_eq!(fixed(-12.5, 1), "-12.5");
        assert_eq!(percent_whole(-0.0), "0 %");
        assert_eq!(percent_whole(0.8), "80 %");
        assert_eq!(percent_whole(0.995), "99.5 %");
        let near = percent_whole(0.9999999);
        assert!(
            near.starts_with("99.9999") && near.ends_with(" %"),
            "{near}"
        );
        assert_eq!(percent_whole(1e-12), "1e-10 %");
        assert_eq!(percent_whole(1.0 / 3.0), "33.3333 %");
        assert_eq!(percent_summary(Some(-0.0)), "0.0 %");
        assert_eq!(percent_summary(Some(-1e-6)), "0.0 %");
        assert_eq!(percent_chart(-0.0), "0 %");
        assert_eq!(percent_chart(-1e-5), "0.0 %");
        assert_eq!(percent_tick(-0.0), "0 %");
        assert_eq!(quantity_summary(-0.0, "t"), "0.00 t");
        assert_eq!(quantities_summary([-0.001, 0.0], "t"), ["0.00 t", "0.00 t"]);
        assert_eq!(work_summary(-0.0, "t·km"), "0 t·km");
        assert_eq!(yuan(-0.0), "0 yuan");
        assert_eq!(yuan(-0.4), "0 yuan");
        assert_eq!(quantity_chart(-0.0, "t"), "0 t");
        assert_eq!(degrees(-0.001, 2, 'N', 'S'), "0.00°N");
    }

    #[test]
    fn costs_read_in_yuan_or_millions() {
        assert_eq!(yuan(-7280.4), "-7280 yuan");
        assert_eq!(yuan(7.34e6), "7.3 million yuan");
        assert_eq!(yuan(-2.5e6), "-2.5 million yuan");
    }
}
