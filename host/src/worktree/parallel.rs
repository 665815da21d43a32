//! A parallel map over `0..len` for blocking file work: every core claims
//! small chunks from a shared counter, so a few large items do not leave
//! the other threads idle; the first error stops everyone.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// Items a worker claims at a time: small enough to balance a few large
/// files, large enough that the shared counter is not contended.
const CHUNK: usize = 32;
/// Below this many items, threads cost more than they save.
const PARALLEL_MIN: usize = 256;
/// More threads than this only queue up on the same filesystem locks.
const MAX_THREADS: usize = 8;

/// Call `work(state, i)` for every `i` in `0..len`, on several threads, and
/// return the results in order. Each thread makes its own `state` with
/// `init` (for handles that cannot be shared, like a `git2::Repository`).
pub fn map<S, R, E>(
    len: usize,
    init: impl Fn() -> Result<S, E> + Sync,
    work: impl Fn(&mut S, usize) -> Result<R, E> + Sync,
) -> Result<Vec<R>, E>
where
    R: Send,
    E: Send,
{
    let threads = if len < PARALLEL_MIN {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(MAX_THREADS)
    };
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let worker = || -> Result<Vec<(usize, R)>, E> {
        let run = || {
            let mut state = init()?;
            let mut done = Vec::new();
            loop {
                let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                if start >= len || failed.load(Ordering::Relaxed) {
                    return Ok(done);
                }
                for i in start..(start + CHUNK).min(len) {
                    done.push((i, work(&mut state, i)?));
                }
            }
        };
        run().inspect_err(|_| failed.store(true, Ordering::Relaxed))
    };
    let results: Vec<Result<Vec<(usize, R)>, E>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        let mut results = vec![worker()];
        for helper in helpers {
            results.push(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        results
    });
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(len).collect();
    for result in results {
        for (i, r) in result? {
            slots[i] = Some(r);
        }
    }
    Ok(slots.into_iter().map(|slot| slot.expect("every item was done: no worker failed")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_in_order_and_stops_on_error() {
        let squares = map(
            10_000,
            || Ok::<_, String>(0u64),
            |calls, i| {
                *calls += 1;
                Ok(i * i)
            },
        )
        .unwrap();
        assert_eq!(squares.len(), 10_000);
        assert!(squares.iter().enumerate().all(|(i, &sq)| sq == i * i));

        let err = map(10_000, || Ok(()), |_, i| if i == 5_000 { Err(format!("item {i}")) } else { Ok(i) });
        assert_eq!(err.unwrap_err(), "item 5000");
        assert!(map(0, || Ok::<_, ()>(()), |_, i| Ok(i)).unwrap().is_empty());
    }
}
