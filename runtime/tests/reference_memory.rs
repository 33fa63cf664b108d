//! The reference reader streams: reading the largest draws file holds no more than the zip
//! decoder's buffers and the per-parameter sums, whatever the file's size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use tilde_runtime::reference::PosteriorDb;

/// Counts live heap bytes and remembers the peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's layout contract is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
        }
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[test]
fn diamonds_reference_streams_in_bounded_memory() {
    let db = PosteriorDb::locate().unwrap_or_else(|e| panic!("{e}"));
    let entry = db.index().unwrap().into_iter().find(|e| e.name == "diamonds-diamonds").unwrap();
    let params: Vec<&str> = entry.param_names.iter().map(String::as_str).collect();
    assert_eq!(params.len(), 26);

    let baseline = LIVE.load(Ordering::SeqCst);
    PEAK.store(baseline, Ordering::SeqCst);
    let stats = db.reference_draws(&entry.name, &params).unwrap();
    let peak = PEAK.load(Ordering::SeqCst) - baseline;

    assert_eq!(stats.len(), 26);
    assert!(stats.iter().all(|s| s.n == 10_000));
    // Measured: 75,518 bytes. The budget is the inflate state of miniz_oxide (43,296 bytes: the
    // 32 KiB window plus Huffman tables), three 8 KiB read buffers (the file, the zip member
    // and the JSON reader), and 30 KiB for the central directory, the per-parameter sums, the
    // name lookup and serde_json's key scratch. The member unzips to 5.1 MB, so holding the
    // JSON, or even the 260,000 draws as f64 (2 MB), would exceed it many times over.
    let budget = 43_296 + 3 * 8192 + 30 * 1024;
    assert!(peak < budget, "peak live heap {peak} bytes, budget {budget}");
}
