internal import CLZ4
internal import CZstd

/// Compresses chunk records (reusable contexts; one per writer, not shared across threads).
final class ChunkCompressor {
    let compression: MCAPCompression
    let zstdLevel: Int32
    private var zstdContext: OpaquePointer?
    /// Output buffer, reused.
    let output = ByteBuffer(capacity: 1 << 16)

    init(compression: MCAPCompression, zstdLevel: Int32) {
        self.compression = compression
        self.zstdLevel = zstdLevel
    }

    deinit {
        if let zstdContext { ZSTD_freeCCtx(zstdContext) }
    }

    /// Compresses `input` into `output` (replacing its content) and returns the compressed bytes.
    func compress(_ input: UnsafeRawBufferPointer) throws(MCAPError) -> UnsafeRawBufferPointer {
        try compress(input, as: compression)
    }

    /// Compresses `input` with `compression` (which may differ from chunk to chunk).
    func compress(_ input: UnsafeRawBufferPointer, as compression: MCAPCompression) throws(MCAPError)
        -> UnsafeRawBufferPointer
    {
        output.removeAll()
        switch compression {
        case .none:
            return input
        case .zstd:
            if zstdContext == nil { zstdContext = ZSTD_createCCtx() }
            guard let zstdContext else { throw .compression("zstd: cannot create a context") }
            let bound = ZSTD_compressBound(input.count)
            output.reserveTotal(bound)
            let written = ZSTD_compressCCtx(
                zstdContext, output.base, bound, input.baseAddress, input.count, zstdLevel)
            if ZSTD_isError(written) != 0 {
                throw .compression("zstd: " + String(cString: ZSTD_getErrorName(written)))
            }
            output.count = written
        case .lz4:
            var preferences = LZ4F_preferences_t()
            preferences.frameInfo.contentSize = UInt64(input.count)
            let bound = LZ4F_compressFrameBound(input.count, &preferences)
            output.reserveTotal(bound)
            let written = LZ4F_compressFrame(output.base, bound, input.baseAddress, input.count, &preferences)
            if LZ4F_isError(written) != 0 {
                throw .compression("lz4: " + String(cString: LZ4F_getErrorName(written)))
            }
            output.count = written
        }
        return output.bytes
    }
}

/// Decompresses chunk records into a reusable buffer (one per reader cursor).
final class ChunkDecompressor {
    private var zstdContext: OpaquePointer?
    private var lz4Context: OpaquePointer?
    let output = ByteBuffer(capacity: 1 << 16)

    /// The chunk compressions this reader decompresses, as named in Chunk records ("" = none).
    static let supportedCompressions: Set<String> = ["", "zstd", "lz4"]

    init() {}

    deinit {
        if let zstdContext { ZSTD_freeDCtx(zstdContext) }
        if let lz4Context { LZ4F_freeDecompressionContext(lz4Context) }
    }

    /// Decompresses `input` (compressed with `compression`, named as in the Chunk record) into
    /// exactly `size` bytes. Returns the uncompressed records, or a reason for failure.
    func decompress(_ input: UnsafeRawBufferPointer, compression: String, size: UInt64)
        -> Result<UnsafeRawBufferPointer, DecompressionFailure>
    {
        // Never trust the recorded size for an allocation: bound it by what the input can expand to.
        guard size <= Self.maximumExpansion(of: input, compression: compression) else {
            return .failure(.init("uncompressed size \(size) impossible for \(input.count) compressed bytes"))
        }
        let size = Int(size)
        switch compression {
        case "":
            guard input.count == size else {
                return .failure(.init("stored size \(input.count) differs from uncompressed size \(size)"))
            }
            return .success(input)
        case "zstd":
            if zstdContext == nil { zstdContext = ZSTD_createDCtx() }
            guard let zstdContext else { return .failure(.init("zstd: cannot create a context")) }
            output.removeAll()
            output.reserveTotal(size)
            let written = ZSTD_decompressDCtx(zstdContext, output.base, size, input.baseAddress, input.count)
            if ZSTD_isError(written) != 0 {
                return .failure(.init("zstd: " + String(cString: ZSTD_getErrorName(written))))
            }
            guard written == size else {
                return .failure(.init("zstd: \(written) bytes decompressed, \(size) expected"))
            }
            output.count = written
            return .success(output.bytes)
        case "lz4":
            if lz4Context == nil {
                var context: OpaquePointer?
                let status = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
                guard LZ4F_isError(status) == 0, let context else {
                    return .failure(.init("lz4: cannot create a context"))
                }
                lz4Context = context
            }
            guard let lz4Context else { return .failure(.init("lz4: no context")) }
            output.removeAll()
            output.reserveTotal(size)
            var consumed = 0
            var produced = 0
            while true {
                var sourceSize = input.count - consumed
                var destinationSize = size - produced
                let hint = LZ4F_decompress(
                    lz4Context, output.base + produced, &destinationSize,
                    input.baseAddress.map { $0 + consumed }, &sourceSize, nil)
                if LZ4F_isError(hint) != 0 {
                    LZ4F_resetDecompressionContext(lz4Context)
                    return .failure(.init("lz4: " + String(cString: LZ4F_getErrorName(hint))))
                }
                consumed += sourceSize
                produced += destinationSize
                if hint == 0 { break }  // frame complete
                if sourceSize == 0 && destinationSize == 0 {
                    LZ4F_resetDecompressionContext(lz4Context)
                    return .failure(.init("lz4: frame truncated or larger than \(size) bytes"))
                }
            }
            guard produced == size else {
                return .failure(.init("lz4: \(produced) bytes decompressed, \(size) expected"))
            }
            output.count = produced
            return .success(output.bytes)
        default:
            return .failure(.init("unsupported compression \"\(compression)\""))
        }
    }

    /// Decompresses as much of a cut-off chunk as possible (to count what was lost). Never fails:
    /// returns whatever prefix of the records could be recovered.
    func decompressPrefix(_ input: UnsafeRawBufferPointer, compression: String, size: UInt64)
        -> UnsafeRawBufferPointer
    {
        let size = Int(min(size, Self.maximumExpansion(of: input, compression: compression), 1 << 28))
        switch compression {
        case "":
            return UnsafeRawBufferPointer(rebasing: input.prefix(size))
        case "zstd":
            guard let stream = ZSTD_createDStream() else {
                return UnsafeRawBufferPointer(start: nil, count: 0)
            }
            defer { ZSTD_freeDStream(stream) }
            output.removeAll()
            output.reserveTotal(size)
            var inBuffer = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
            var outBuffer = ZSTD_outBuffer(dst: output.base, size: size, pos: 0)
            while inBuffer.pos < inBuffer.size && outBuffer.pos < outBuffer.size {
                let before = (inBuffer.pos, outBuffer.pos)
                let status = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                if ZSTD_isError(status) != 0 || (inBuffer.pos, outBuffer.pos) == before { break }
            }
            output.count = outBuffer.pos
            return output.bytes
        case "lz4":
            var context: OpaquePointer?
            guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0,
                let context
            else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            defer { LZ4F_freeDecompressionContext(context) }
            output.removeAll()
            output.reserveTotal(size)
            var consumed = 0
            var produced = 0
            while consumed < input.count && produced < size {
                var sourceSize = input.count - consumed
                var destinationSize = size - produced
                let hint = LZ4F_decompress(
                    context, output.base + produced, &destinationSize,
                    input.baseAddress.map { $0 + consumed }, &sourceSize, nil)
                if LZ4F_isError(hint) != 0 || (sourceSize == 0 && destinationSize == 0) { break }
                consumed += sourceSize
                produced += destinationSize
                if hint == 0 { break }
            }
            output.count = produced
            return output.bytes
        default:
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
    }
}

extension ChunkDecompressor {
    /// The largest size `input` can decompress to (an upper bound used before allocating): the
    /// size a zstd frame declares, LZ4's maximum ratio (255:1 per block), the stored size as is.
    static func maximumExpansion(of input: UnsafeRawBufferPointer, compression: String) -> UInt64 {
        let hardLimit: UInt64 = 1 << 30  // 1 GiB: far above any chunk a writer makes
        switch compression {
        case "": return UInt64(input.count)
        case "zstd":
            // A frame declaring its size (all writers do) bounds it exactly.
            let declared = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            // UInt64.max: size not declared; UInt64.max - 1: not a zstd frame.
            if declared < UInt64.max - 1 { return min(declared, hardLimit) }
            return min(hardLimit, UInt64(input.count) * 32_768 + 65_536)
        case "lz4": return min(hardLimit, UInt64(input.count) * 256 + 65_536)
        default: return 0
        }
    }
}

/// Why a chunk could not be decompressed.
struct DecompressionFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
