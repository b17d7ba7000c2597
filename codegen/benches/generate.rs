//! Generation time for spec/ea-reporting-v3.json: the whole pipeline (read, load, upgrade,
//! parse, lower, emit with prettyplease), in memory. Run with `codegen/bench.sh`.

use ea_codegen::{GenerateOptions, generate};
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/ea-reporting-v3.json");
    let options = GenerateOptions::new(&spec);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(50);
    // One warm-up run, so the page cache and allocator are in their steady state.
    let files = generate(&options).expect("spec/ generates");
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let files = generate(&options).expect("spec/ generates");
            let elapsed = start.elapsed();
            std::hint::black_box(files);
            elapsed
        })
        .collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().sum::<Duration>() / runs as u32;
    println!(
        "generate spec/ea-reporting-v3.json: {} files, {} bytes",
        files.len(),
        bytes
    );
    println!(
        "runs {runs}: min {:.2} ms, median {:.2} ms, mean {:.2} ms, max {:.2} ms",
        ms(times[0]),
        ms(times[runs / 2]),
        ms(mean),
        ms(times[runs - 1])
    );
}
