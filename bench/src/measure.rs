//! What `make bench` measures and how it sums it up: CPU and memory of processes from
//! `/proc`, percentiles, and a worker pool that times jobs.

use std::sync::Mutex;
use std::time::Duration;

use anyhow::Result;

/// CPU time (user + system) of all threads of a process (`self` for this one), in nanoseconds,
/// from `/proc/<pid>/task/*/schedstat`.
pub fn cpu_ns(pid: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("schedstat")).ok())
        .filter_map(|stat| stat.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Peak resident memory of a running process (`VmHWM`), in bytes.
pub fn peak_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The value at `p` (0.5: the median) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `job(0..count)` on `concurrency` workers, each taking the next index: the sorted
/// latencies `job` reports for the runs that succeeded, and how many failed (the first
/// failure is printed).
pub async fn pool<Job, Run>(count: usize, concurrency: usize, job: Job) -> (Vec<Duration>, u64)
where
    Job: Fn(usize) -> Run,
    Run: std::future::Future<Output = Result<Duration>>,
{
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::atomic::AtomicU64::new(0);
    let times = Mutex::new(Vec::with_capacity(count));
    let worker = || async {
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if i >= count {
                break;
            }
            match job(i).await {
                Ok(latency) => times.lock().map(|mut t| t.push(latency)).unwrap_or(()),
                Err(error) => {
                    if failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed) == 0 {
                        eprintln!("failed: {error:#}");
                    }
                }
            }
        }
    };
    futures::future::join_all((0..concurrency).map(|_| worker())).await;
    let mut times = times.into_inner().unwrap_or_default();
    times.sort();
    (times, failures.into_inner())
}
