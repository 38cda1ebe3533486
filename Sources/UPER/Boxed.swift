/// A value kept out of line, behind a reference.
///
/// Generated types store a rarely present component that holds a list (for example a BSM's
/// `PathHistory`) in a `Boxed` instead of inline: the containing structure then stays small and
/// copies with a single reference-count operation instead of a walk over every field. Equality
/// and hashing are by value, so boxing never shows in a type's behaviour.
///
/// A box is immutable to everyone holding it, with one exception that nobody can observe:
/// `update(_:blank:_:)` writes the value in place only when the caller's reference is the only
/// one (`isKnownUniquelyReferenced`), so a decode into a kept value reuses the box and its lists.
///
/// `@unchecked Sendable`: `storage` is written only by `update(_:blank:_:)`, and only after
/// `isKnownUniquelyReferenced` found the caller's `inout` reference to be the only one. No other
/// holder (on this or another thread) can then exist to read it during the write; a shared box is
/// never written (a new one replaces the caller's reference instead).
public final class Boxed<Value: Hashable & Sendable>: Hashable, @unchecked Sendable {
    @usableFromInline
    @exclusivity(unchecked)
    internal var storage: Value

    /// The value.
    @inlinable
    public var value: Value { storage }

    /// Boxes `value`.
    @inlinable
    public init(_ value: Value) { self.storage = value }

    /// Runs `body` on the value in `box`: in place when `box` holds the only reference to its box,
    /// else on `blank()` in a new box that replaces the caller's reference (a shared box is never
    /// changed). Generated decoders use it to decode into the box the previous frame left.
    /// When `body` throws, `box` holds a valid but unspecified value.
    @inlinable
    public static func update<E: Error>(
        _ box: inout Boxed?, blank: @autoclosure () -> Value, _ body: (inout Value) throws(E) -> Void
    ) throws(E) {
        if isKnownUniquelyReferenced(&box) {
            try body(&box.unsafelyUnwrapped.storage)
        } else {
            let fresh = Boxed(blank())
            box = fresh
            try body(&fresh.storage)
        }
    }

    /// Equal when the values are equal.
    public static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs === rhs || lhs.value == rhs.value }

    /// Hashes the value.
    public func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}

/// Storage a decoder keeps for reuse while the component it belongs to is absent: the `Boxed` path
/// history of a BSM without one, or the lists of an absent OPTIONAL component. The next value that
/// has the component decodes into it instead of allocating. It is no part of the value: all spares
/// are equal and hash to nothing, so a type's synthesized `Hashable` ignores it.
public struct Spare<Value: Sendable>: Hashable, Sendable {
    /// The kept storage, if any.
    public var value: Value?

    /// An empty spare.
    @inlinable
    public init() { value = nil }

    /// Always true: a spare is no part of the value that holds it.
    @inlinable
    public static func == (lhs: Spare, rhs: Spare) -> Bool { true }

    /// Adds nothing: a spare is no part of the value that holds it.
    @inlinable
    public func hash(into hasher: inout Hasher) {}
}
