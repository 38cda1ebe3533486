/// Message and byte counts per topic key, for `testzone tap`.
///
/// The key of a message is its first frame up to the first `/` (`cv2x`, `jt808`), or the whole
/// first frame when counting by topic (or when it has no `/`), at most ``maximumKeyLength``
/// bytes. Counting does not allocate once a key has been seen: keys live in one byte buffer and
/// are found through an open-addressing hash table over the bytes, compared in place.
struct TopicTally {
    /// Counts for one key.
    struct Entry: Equatable {
        var key: String
        var messages: Int
        var bytes: Int
    }

    /// Longer first frames are counted under their first `maximumKeyLength` bytes.
    static let maximumKeyLength = 64

    /// Whether the key is the whole topic rather than the part before the first `/`.
    let byTopic: Bool

    private var keyBytes: [UInt8] = []
    private var keyRanges: [Range<Int>] = []
    private var messages: [Int] = []
    private var bytes: [Int] = []
    /// Open-addressing table of indices into the arrays above; -1 marks an empty slot.
    private var table = [Int](repeating: -1, count: 64)

    /// The messages and bytes counted since the last ``reset()``.
    private(set) var totalMessages = 0
    private(set) var totalBytes = 0

    init(byTopic: Bool) {
        self.byTopic = byTopic
    }

    /// Counts one message whose first frame is `topic` and whose frames hold `byteCount` bytes.
    mutating func add(topic: UnsafeRawBufferPointer, byteCount: Int) {
        var key = topic
        if key.count > Self.maximumKeyLength {
            key = UnsafeRawBufferPointer(rebasing: key[0..<Self.maximumKeyLength])
        }
        if !byTopic, let slash = key.firstIndex(of: UInt8(ascii: "/")) {
            key = UnsafeRawBufferPointer(rebasing: key[0..<slash])
        }
        let index = self.index(of: key)
        messages[index] += 1
        bytes[index] += byteCount
        totalMessages += 1
        totalBytes += byteCount
    }

    /// The keys with at least one message since the last ``reset()``, most messages first
    /// (ties by key).
    var entries: [Entry] {
        var result: [Entry] = []
        for index in messages.indices where messages[index] > 0 {
            let key = String(decoding: keyBytes[keyRanges[index]], as: UTF8.self)
            result.append(Entry(key: key, messages: messages[index], bytes: bytes[index]))
        }
        return result.sorted { ($0.messages, $1.key) > ($1.messages, $0.key) }
    }

    /// Zeroes the counts, keeping the keys (so the next interval does not allocate for them).
    mutating func reset() {
        for index in messages.indices {
            messages[index] = 0
            bytes[index] = 0
        }
        totalMessages = 0
        totalBytes = 0
    }

    private mutating func index(of key: UnsafeRawBufferPointer) -> Int {
        let hash = Self.hash(key)
        var slot = hash & (table.count - 1)
        while table[slot] >= 0 {
            let candidate = table[slot]
            if keyBytes[keyRanges[candidate]].elementsEqual(key) { return candidate }
            slot = (slot + 1) & (table.count - 1)
        }
        let index = keyRanges.count
        keyRanges.append(keyBytes.count..<(keyBytes.count + key.count))
        keyBytes.append(contentsOf: key)
        messages.append(0)
        bytes.append(0)
        table[slot] = index
        if keyRanges.count * 2 > table.count { rehash() }
        return index
    }

    private mutating func rehash() {
        table = [Int](repeating: -1, count: table.count * 2)
        for index in keyRanges.indices {
            let hash = keyBytes[keyRanges[index]].withUnsafeBytes { Self.hash($0) }
            var slot = hash & (table.count - 1)
            while table[slot] >= 0 { slot = (slot + 1) & (table.count - 1) }
            table[slot] = index
        }
    }

    /// FNV-1a over the key bytes.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return Int(truncatingIfNeeded: hash)
    }
}
