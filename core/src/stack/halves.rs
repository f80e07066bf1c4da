//! Per-resource work of a large template on two threads.
//!
//! Reading a definition, finding its references and validating it look at one
//! resource and the (shared, unchanging) scope, so a large template's resources can
//! be split in two halves, the second read on a scoped thread. Callers combine the
//! two answers in order, so that what is found, and the first error, are what one
//! thread would have found.

/// The number of items from which [`in_halves`] uses a second thread: starting one
/// costs tens of microseconds, the work per resource about a microsecond.
pub const PARALLEL_FROM: usize = 1_000;

/// `work` on the two halves of `items` (`[first, second]`; `work` is given the index
/// of its half's first item too): on two threads when `parallel`, there are at least
/// [`PARALLEL_FROM`] items and the machine has two cores; else both on this thread,
/// the first half first.
pub fn in_halves<T: Sync, R: Send>(
    items: &[T],
    parallel: bool,
    work: impl Fn(usize, &[T]) -> R + Sync,
) -> [R; 2] {
    let middle = items.len() / 2;
    let (first, second) = items.split_at(middle);
    let threads = match parallel && items.len() >= PARALLEL_FROM {
        true => std::thread::available_parallelism().map_or(1, usize::from),
        false => 1,
    };
    if threads < 2 {
        return [work(0, first), work(middle, second)];
    }
    std::thread::scope(|s| {
        let second = s.spawn(|| work(middle, second));
        let first = work(0, first);
        [first, second.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_cover_the_items_in_order_whatever_the_threads() {
        for n in [0, 1, 7, PARALLEL_FROM, PARALLEL_FROM + 1] {
            let items: Vec<usize> = (0..n).collect();
            for parallel in [false, true] {
                let [a, b] = in_halves(&items, parallel, |start, half| {
                    assert_eq!(half.first(), items.get(start).filter(|_| !half.is_empty()));
                    half.to_vec()
                });
                assert_eq!([a, b].concat(), items);
            }
        }
    }
}
