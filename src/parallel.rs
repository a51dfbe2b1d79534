//! Ordered parallel map over a slice: tokens are independent, so `sign
//! --count` and `verify --batch` use every core and still print in order.

use std::num::NonZeroUsize;
use std::thread;

/// How many items a batch holds before it is printed: big enough to keep the
/// cores busy, small enough that memory stays flat on endless input.
pub const CHUNK: usize = 1024;

pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    // Few items first: asking for the core count reads cgroup files, work a
    // one-shot `sign` does not need.
    if items.len() < 8 {
        return items.iter().map(&f).collect();
    }
    let threads = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let per = items.len().div_ceil(threads);
    thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(per)
            .map(|chunk| scope.spawn(|| chunk.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }
}
