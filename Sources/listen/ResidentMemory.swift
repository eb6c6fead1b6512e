import Glibc

/// How `listen mic` keeps its resident memory small over hours (with ``HeapReuse/returnFreedMemory()``).
enum ResidentMemory {
    /// Lets the kernel drop the pages of code mapped so far: startup runs a lot of code once
    /// (argument parsing, the model's header, OpenBLAS's and FFTW's set-up), and its pages
    /// would otherwise stay resident for as long as the process runs. Code the loop still
    /// runs is read back from the page cache the next time it runs. Only executable mappings
    /// of files that no page of was ever written to (`Private_Dirty` and `Anonymous` 0 in
    /// `/proc/self/smaps`) are dropped, so nothing but clean copies of the files is let go.
    static func releaseCodePages() {
        guard let smaps = fopen("/proc/self/smaps", "r") else { return }
        defer { fclose(smaps) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        var mapping: (start: UInt, end: UInt)?
        var dirty = false
        while getline(&line, &capacity, smaps) > 0, let line {
            let text = String(cString: line)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
                // "start-end perms offset device inode path"
                let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
                let isCode = fields.count >= 6 && fields[1] == "r-xp" && fields[5].hasPrefix("/")
                mapping = isCode && bounds.count == 2 ? (bounds[0], bounds[1]) : nil
                dirty = false
            } else if fields.first == "Private_Dirty:" || fields.first == "Anonymous:" {
                if fields.count > 1, fields[1] != "0" { dirty = true }
                if fields.first == "Anonymous:", let code = mapping, !dirty {
                    madvise(UnsafeMutableRawPointer(bitPattern: code.start), Int(code.end - code.start), MADV_DONTNEED)
                    mapping = nil
                }
            }
        }
    }
}
