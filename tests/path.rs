//! Multi-year paths (`docs/path.md`): the hand-computed two-year case of
//! `scenarios/path/two_years_path.toml` (its header derives every figure), independent years
//! equal to the years run one by one, and the joint problem's errors.

use std::path::Path;
use symbiosim::allocate::AllocConfig;
use symbiosim::analysis::path::{evaluate_path, PathConfig, PathResults, PathSolve};
use symbiosim::scenario::path;

fn solve(file: &str, force_joint: bool) -> PathResults {
    let p = path::load(Path::new(file), &[]).unwrap();
    evaluate_path(
        &p.path,
        &PathConfig {
            alloc: AllocConfig::default(),
            force_joint,
        },
    )
    .unwrap()
}

#[test]
fn the_two_year_path_matches_its_header() {
    let r = solve("scenarios/path/two_years_path.toml", false);
    assert_eq!(r.solve, PathSolve::Joint);
    let (y0, y1) = (&r.years[0], &r.years[1]);
    assert_eq!((y0.year, y1.year), (2024, 2025));
    // Generation grows 50 %.
    assert_eq!(y0.results.solids.generated, 60.0);
    assert_eq!(y1.results.solids.generated, 90.0);
    // The stock: 20 t drawn in 2024, 40 carried, none drawn in 2025, 40 left.
    let s: Vec<_> = r.years.iter().map(|y| y.stocks[0].clone()).collect();
    assert_eq!((s[0].start, s[0].drawn, s[0].end), (60.0, 20.0, 40.0));
    assert_eq!((s[1].start, s[1].drawn, s[1].end), (40.0, 0.0, 40.0));
    assert_eq!(y0.results.solids.stockpile_drawn, 20.0);
    assert_eq!(y1.results.solids.stockpile_drawn, 0.0);
    // The landfill: nothing stored in 2024, its whole room (5 t) in 2025; 5 t dumped.
    let l: Vec<_> = r.years.iter().map(|y| y.rooms[0].clone()).collect();
    assert_eq!((l[0].start, l[0].stored, l[0].end), (5.0, 0.0, 5.0));
    assert_eq!((l[1].start, l[1].stored, l[1].end), (5.0, 5.0, 0.0));
    assert_eq!(y0.results.solids.dumped, 0.0);
    assert_eq!(y1.results.solids.dumped, 5.0);
    // Rates: 100 % and 80 / 90.
    assert_eq!(y0.results.target.achieved, Some(1.0));
    let a1 = y1.results.target.achieved.unwrap();
    assert!((a1 - 80.0 / 90.0).abs() < 1e-12, "{a1}");
    assert!(!y1.results.target.meets);
}

/// A path file over `base` (absolute) written into a temporary folder.
fn path_file(dir: &tempfile::TempDir, body: &str) -> String {
    let f = dir.path().join("p.toml");
    std::fs::write(&f, body).unwrap();
    f.display().to_string()
}

fn abs(file: &str) -> String {
    std::fs::canonicalize(file).unwrap().display().to_string()
}

/// What a year's figures are: balances by material and park, the flows, the money.
fn figures(r: &symbiosim::analysis::Results) -> String {
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        r.target.achieved,
        r.target.strict_achieved,
        r.by_material,
        r.by_park_material,
        r.flows,
        r.cost,
        r.hydrogen
    )
}

#[test]
fn independent_years_solved_jointly_equal_the_years_one_by_one() {
    let dir = tempfile::tempdir().unwrap();
    for (base, years) in [
        ("scenarios/tiny.toml", (2023, 2026)),
        ("scenarios/ordos_2025.toml", (2023, 2025)),
    ] {
        let f = path_file(
            &dir,
            &format!(
                "[path]\ntitle = \"t\"\nbase = \"{}\"\nfirst_year = {}\nlast_year = {}\n\
                 [[path.growth]]\nrate = 0.04\n\
                 [[path.year]]\nyear = {}\nset = {{ \"policy.env_tax_multiplier\" = 2.0 }}\n",
                abs(base),
                years.0,
                years.1,
                years.0 + 1
            ),
        );
        let alone = solve(&f, false);
        let joint = solve(&f, true);
        assert_eq!(alone.solve, PathSolve::YearByYear);
        assert_eq!(joint.solve, PathSolve::Joint);
        assert_eq!(alone.years.len(), (years.1 - years.0 + 1) as usize);
        for (a, j) in alone.years.iter().zip(&joint.years) {
            assert_eq!(a.year, j.year);
            assert_eq!(
                figures(&a.results),
                figures(&j.results),
                "{base} year {}",
                a.year
            );
        }
        // The years differ (growth and the tax from the second year on), and each is the
        // scenario run alone at that year.
        assert_ne!(
            alone.years[0].results.solids.generated,
            alone.years[1].results.solids.generated
        );
    }
}

#[test]
fn a_paths_monte_carlo_draws_each_year_as_the_years_scenario_alone_would() {
    use symbiosim::analysis::monte_carlo;
    use symbiosim::analysis::path::path_monte_carlo;
    // Three independent years of tiny_uncertain (the file's year is 2025: no growth there).
    let dir = tempfile::tempdir().unwrap();
    let f = path_file(
        &dir,
        &format!(
            "[path]\ntitle = \"t\"\nbase = \"{}\"\nfirst_year = 2023\nlast_year = 2025\n",
            abs("scenarios/tiny_uncertain.toml")
        ),
    );
    let p = path::load(Path::new(&f), &[]).unwrap();
    let uncertain: Vec<_> = p.years.iter().map(|l| l.uncertain.clone()).collect();
    let cfg = PathConfig {
        alloc: AllocConfig::default(),
        force_joint: false,
    };
    let (n, seed) = (200, 7);
    let mc = path_monte_carlo(&p.path, &uncertain, (n, seed, 0), &cfg, &|| ()).unwrap();
    // Every year of a sample is that year's scenario at the same draws: the 2025 year equals
    // the single-year Monte Carlo of tiny_uncertain sample by sample, and so does every year
    // (the same file at another `year`, nothing growing).
    let alone = monte_carlo(
        &p.years[2].region,
        &p.years[2].uncertain,
        seed,
        0,
        n,
        &|_| (),
    )
    .unwrap();
    assert_eq!(mc.records.len(), n as usize);
    for (s, a) in mc.records.iter().zip(&alone.samples) {
        assert_eq!(s.index, a.index);
        for t in 0..3 {
            assert_eq!(s.rate[t], a.rate, "sample {} year {t}", s.index);
            assert_eq!(s.strict[t], a.strict_rate);
        }
        assert_eq!(s.meets[2], a.meets_target);
    }
    let met = alone.samples.iter().filter(|a| a.meets_target).count() as u64;
    assert_eq!(mc.met[2], met);
    assert_eq!(mc.p_meet().0, met as f64 / n as f64);
    // Solved jointly (the same independent years), the same records.
    let joint = path_monte_carlo(
        &p.path,
        &uncertain,
        (n, seed, 0),
        &PathConfig {
            force_joint: true,
            ..cfg
        },
        &|| (),
    )
    .unwrap();
    assert_eq!(joint.records, mc.records);
}

/// The two-year region with 90 t in 2024 falling to 60 t in 2025: the overflow and the room's
/// use are in the first year, whose storage reaches the path's disposal through the room (the
/// lexicographic phases must cap total disposal, not each year's share of it).
#[test]
fn a_landfills_room_used_in_the_first_year_and_a_stock_drawn_in_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let region = std::fs::read_to_string("scenarios/path/two_years.toml")
        .unwrap()
        .replace("quantity = 60.0 ", "quantity = 90.0 ");
    std::fs::write(dir.path().join("two_years.toml"), region).unwrap();
    let f = dir.path().join("p.toml");
    std::fs::write(
        &f,
        "[path]\ntitle = \"t\"\nbase = \"two_years.toml\"\nfirst_year = 2024\nlast_year = 2025\n\
         [[path.growth]]\nrate = -0.3333333333333333\n\
         [[path.stock]]\nproducer = \"g\"\nstock = 60.0\n\
         [[path.landfill]]\npark = \"A\"\nroom = 5.0\n",
    )
    .unwrap();
    let r = solve(f.to_str().unwrap(), false);
    let (y0, y1) = (&r.years[0].results, &r.years[1].results);
    // 2024: 90 t against 80 t of bricks: 10 t disposed, 5 t in the landfill (all its room),
    // 5 t dumped; nothing drawn (no spare capacity).
    assert_eq!((y0.solids.generated, y0.solids.disposed), (90.0, 10.0));
    assert_eq!((r.years[0].rooms[0].stored, y0.solids.dumped), (5.0, 5.0));
    assert_eq!(y0.solids.stockpile_drawn, 0.0);
    // 2025: 60 t, 20 t of spare capacity: 20 t drawn from the stock; nothing disposed.
    assert_eq!((y1.solids.generated, y1.solids.disposed), (60.0, 0.0));
    assert_eq!(y1.solids.stockpile_drawn, 20.0);
    assert_eq!(r.years[1].stocks[0].end, 40.0);
    assert_eq!(r.years[1].rooms[0].start, 0.0);
}

#[test]
fn the_trajectory_chart_draws_the_years_rates_and_the_monte_carlos_band() {
    use symbiosim::analysis::path::path_monte_carlo;
    use symbiosim::report::path::trajectory_chart_data;
    let dir = tempfile::tempdir().unwrap();
    let f = path_file(
        &dir,
        &format!(
            "[path]\ntitle = \"t\"\nbase = \"{}\"\nfirst_year = 2023\nlast_year = 2025\ntarget_year = 2024\n\
             [[path.growth]]\nrate = 0.2\n",
            abs("scenarios/tiny_uncertain.toml")
        ),
    );
    let p = path::load(Path::new(&f), &[]).unwrap();
    let cfg = PathConfig {
        alloc: AllocConfig::default(),
        force_joint: false,
    };
    let r = evaluate_path(&p.path, &cfg).unwrap();
    let uncertain: Vec<_> = p.years.iter().map(|l| l.uncertain.clone()).collect();
    let mc = path_monte_carlo(&p.path, &uncertain, (100, 3, 0), &cfg, &|| ()).unwrap();
    let c = trajectory_chart_data(&p.path, &r, Some(&mc));
    assert_eq!(c.years, [2023, 2024, 2025]);
    assert_eq!(c.target_year, 2024);
    assert_eq!(c.target_rate, 0.8);
    for (t, y) in r.years.iter().enumerate() {
        assert_eq!(c.rate[t], y.results.target.achieved);
        assert_eq!(c.strict[t], y.results.target.strict_achieved);
        let s = mc.rate[t].as_ref().unwrap();
        assert_eq!(c.band.as_ref().unwrap()[t], (s.p5, s.p95));
    }
    // The years differ (20 %/yr growth against fixed capacities), and the chart says so.
    assert_ne!(c.rate[0], c.rate[2]);
    assert!(c.note.as_ref().unwrap().contains("P(meet 80 % in 2024)"));
    assert!(trajectory_chart_data(&p.path, &r, None).band.is_none());
}
