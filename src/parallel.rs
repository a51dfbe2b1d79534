//! Ordered parallel map over a slice: tokens are independent, so `sign
//! --count` and `verify --batch` use every core and still print in order.

use std::num::NonZeroUsize;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// How many items a batch holds before it is printed: big enough to keep the
/// cores busy, small enough that memory stays flat on endless input.
pub const CHUNK: usize = 1024;

/// Items a thread takes at a time: small, so that a thread the scheduler
/// holds back (the machine is shared) leaves its share to the others
/// instead of making them wait for it at the end of the batch.
const BLOCK: usize = 16;

pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Few items first: asking for the core count reads cgroup files, work a
    // one-shot `sign` does not need.
    if items.len() < 8 {
        return items.iter().map(&f).collect();
    }
    let threads = threads();
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut blocks = Vec::new();
        loop {
            let start = next.fetch_add(BLOCK, Ordering::Relaxed);
            if start >= items.len() {
                return blocks;
            }
            let end = items.len().min(start + BLOCK);
            blocks.push((start, items[start..end].iter().map(&f).collect::<Vec<R>>()));
        }
    };
    thread::scope(|scope| {
        // This thread works too: one thread per core in all.
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut blocks = work();
        for helper in helpers {
            blocks.extend(
                helper
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        blocks.sort_unstable_by_key(|(start, _)| *start);
        blocks
            .into_iter()
            .flat_map(|(_, results)| results)
            .collect()
    })
}

/// The cores this process may use, asked once per run.
fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| thread::available_parallelism().map_or(1, NonZeroUsize::get))
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        for len in [0, 7, 8, 17, 1000, 1024] {
            let items: Vec<u32> = (0..len).collect();
            assert_eq!(
                super::map(&items, |x| x * 2),
                items.iter().map(|x| x * 2).collect::<Vec<_>>()
            );
        }
    }
}
