/// Finds the source line of a field in TOML text.
///
/// TOMLKit reports positions for syntax errors only, not for the values of a parsed table, so
/// semantic errors are located by scanning the text: table headers (`[a.b]`), array-of-tables
/// headers (`[[vehicles]]`, counted to give `vehicles[0]`, `vehicles[1]`, ...), `key = value`
/// lines (bare, quoted and dotted keys) and the keys of one-line inline tables. A field is
/// looked up by its dotted path (`vehicles[2].obu_id`); when a field is absent, the line of the
/// nearest enclosing table is returned, so "missing field" errors point at its table header.
struct TOMLKeyLocator: Sendable {
    private var lines: [String: Int] = [:]

    init(source: String) {
        var arrayCounts: [String: Int] = [:]
        var current = ""
        var inMultilineString = false
        var lineNumber = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Substring(Self.stripComment(rawLine)).trimmingWhitespace()
            let tripleQuotes =
                Self.occurrences(of: "\"\"\"", in: rawLine)
                + Self.occurrences(of: "'''", in: rawLine)
            if inMultilineString {
                if tripleQuotes % 2 == 1 { inMultilineString = false }
                continue
            }
            if tripleQuotes % 2 == 1 { inMultilineString = true }
            guard !line.isEmpty else { continue }
            if line.hasPrefix("[[") {
                let name = Self.normaliseKey(line.dropFirst(2).prefix { $0 != "]" })
                let index = arrayCounts[name, default: 0]
                arrayCounts[name] = index + 1
                current = "\(name)[\(index)]"
                record(current, lineNumber)
                record(name, lineNumber)
            } else if line.hasPrefix("[") {
                current = Self.normaliseKey(line.dropFirst().prefix { $0 != "]" })
                record(current, lineNumber)
            } else if let equals = Self.firstUnquoted("=", in: line) {
                let key = Self.normaliseKey(line[line.startIndex..<equals])
                let path = current.isEmpty ? key : "\(current).\(key)"
                record(path, lineNumber)
                let value = line[line.index(after: equals)...].trimmingWhitespace()
                if value.hasPrefix("{") { recordInline(value.dropFirst(), path, lineNumber) }
            }
        }
    }

    /// The 1-based line of `field`, or of its nearest enclosing table; nil if neither appears.
    func line(of field: String) -> Int? {
        var path = Substring(field)
        while !path.isEmpty {
            if let line = lines[String(path)] { return line }
            guard let cut = path.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            path = path[..<cut]
        }
        return nil
    }

    private mutating func record(_ path: String, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }

    private mutating func recordInline(_ body: Substring, _ prefix: String, _ line: Int) {
        var depth = 0
        var segment = Substring(body)
        var start = body.startIndex
        var inString = false
        for index in body.indices {
            let character = body[index]
            if character == "\"" { inString.toggle() }
            if inString { continue }
            if character == "{" || character == "[" { depth += 1 }
            if character == "}" || character == "]" { depth -= 1 }
            if (character == "," && depth == 0) || depth < 0 {
                segment = body[start..<index]
                if let equals = Self.firstUnquoted("=", in: segment) {
                    record("\(prefix).\(Self.normaliseKey(segment[segment.startIndex..<equals]))", line)
                }
                start = body.index(after: index)
                if depth < 0 { return }
            }
        }
    }

    private static func occurrences(of needle: String, in line: Substring) -> Int {
        let haystack = Array(line.utf8)
        let pattern = Array(needle.utf8)
        var count = 0
        var index = 0
        while index + pattern.count <= haystack.count {
            if haystack[index..<index + pattern.count].elementsEqual(pattern) {
                count += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        return count
    }

    private static func stripComment(_ line: Substring) -> String {
        var inBasic = false
        var inLiteral = false
        var previous: Character = " "
        for index in line.indices {
            let character = line[index]
            if character == "\"" && !inLiteral && previous != "\\" { inBasic.toggle() }
            if character == "'" && !inBasic { inLiteral.toggle() }
            if character == "#" && !inBasic && !inLiteral { return String(line[..<index]) }
            previous = character
        }
        return String(line)
    }

    private static func firstUnquoted(_ target: Character, in text: Substring) -> String.Index? {
        var inString = false
        for index in text.indices {
            let character = text[index]
            if character == "\"" || character == "'" { inString.toggle() }
            if character == target && !inString { return index }
        }
        return nil
    }

    /// `a . "b c"` -> `a.b c`: dotted keys with whitespace and quotes removed.
    private static func normaliseKey(_ key: Substring) -> String {
        key.split(separator: ".").map { part in
            var trimmed = part.trimmingWhitespace()
            if trimmed.count >= 2, let first = trimmed.first, first == "\"" || first == "'",
                trimmed.last == first
            {
                trimmed = trimmed.dropFirst().dropLast()
            }
            return String(trimmed)
        }.joined(separator: ".")
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var result = self
        while let first = result.first, first.isWhitespace { result = result.dropFirst() }
        while let last = result.last, last.isWhitespace { result = result.dropLast() }
        return result
    }
}
