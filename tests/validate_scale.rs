//! `validate` at scale (issue #19, item 7): 3 000 producers and 3 000 consumers in one park
//! (9 million transport pairs) took 1.95 GB because `validate` built the network to print its
//! size. It now counts the network without building it (`Network::size`) and scans the
//! consumers once per class of lots, so its memory is linear in the input. The peak resident
//! memory of the `validate` process is measured (`getrusage` of the waited child, the only
//! child of this test binary): a bound in bytes, not a timing.

use std::process::Command;

#[test]
fn validate_of_9_million_pairs_stays_small() {
    let dir = tempfile::tempdir().unwrap();
    let n = 3000;
    let mut p = String::from("id,park,material,quantity\n");
    let mut c = String::from("id,park,route,capacity,material\n");
    for i in 0..n {
        p.push_str(&format!("p{i},A,ash,10\n"));
        c.push_str(&format!("c{i},A,r,10,ash\n"));
    }
    std::fs::write(dir.path().join("producers.csv"), p).unwrap();
    std::fs::write(dir.path().join("consumers.csv"), c).unwrap();
    let toml = "[scenario]\nname = \"big\"\nyear = 2025\n\n[target]\nrate = 0.5\n\n\
        [tables]\nproducers = \"producers.csv\"\nconsumers = \"consumers.csv\"\n\n\
        [[parks]]\nid = \"A\"\nname = \"A\"\nlat = 39.0\nlon = 110.0\n\n\
        [[materials]]\nid = \"ash\"\nname = \"Ash\"\n\n[[routes]]\nid = \"r\"\nname = \"R\"\n\n\
        [[transport]]\nid = \"road\"\ncost_yuan_per_unit_km = 0.4\nmax_km = 100.0\n";
    let path = dir.path().join("big.toml");
    std::fs::write(&path, toml).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_symbiosim"))
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The size of the network it would build: 3 000 × 3 000 transport arcs and the rest.
    assert!(
        stdout.contains(
            "3000 producers, 3000 consumers, 1 transport modes; network 9005 nodes, 9009004 arcs"
        ),
        "{stdout}"
    );
    #[cfg(target_os = "linux")]
    {
        // SAFETY: getrusage writes the struct it is given.
        let mut r: libc::rusage = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut r) }, 0);
        let peak_mb = r.ru_maxrss as f64 / 1024.0; // kB on Linux
        assert!(peak_mb < 300.0, "validate peaked at {peak_mb:.0} MB");
        assert!(peak_mb > 0.0);
    }
}
