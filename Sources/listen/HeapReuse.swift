internal import CMalloc

/// How the process's allocator treats large freed blocks.
///
/// Training allocates and frees buffers of a few megabytes on every update (a batch's gates,
/// patches and gradients). glibc serves blocks that large with `mmap` and gives them back
/// with `munmap`, or trims them off the heap, so every update faults fresh zeroed pages in
/// again: about a million page faults per 2,000 clips. Keeping freed memory for reuse
/// removes ~95 % of them and a tenth of the training time; the results are bit for bit
/// the same.
enum HeapReuse {
    /// Serves blocks up to 32 MB (glibc's largest threshold) from the heap and keeps up to
    /// 1 GB of freed memory there instead of returning it to the system (`mallopt`).
    static func keepFreedMemory() {
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 1 << 30)
    }

    /// The opposite, for `listen mic`, which runs for hours: blocks of 128 KB or more get their
    /// own mapping and go back to the system when freed (glibc would otherwise raise that
    /// threshold after the first such free and keep later blocks in its heaps, where freed
    /// memory stays resident); at most two malloc arenas.
    static func returnFreedMemory() {
        _ = mallopt(M_MMAP_THRESHOLD, 128 << 10)
        _ = mallopt(M_ARENA_MAX, 2)
    }
}
