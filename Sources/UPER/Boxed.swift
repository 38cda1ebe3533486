/// An immutable value kept out of line, behind a reference.
///
/// Generated types store a rarely present component that holds a list (for example a BSM's
/// `PathHistory`) in a `Boxed` instead of inline: the containing structure then stays small and
/// copies with a single reference-count operation instead of a walk over every field. Equality
/// and hashing are by value, so boxing never shows in a type's behaviour.
public final class Boxed<Value: Hashable & Sendable>: Hashable, Sendable {
    /// The value.
    public let value: Value

    /// Boxes `value`.
    @inlinable
    public init(_ value: Value) { self.value = value }

    /// Equal when the values are equal.
    public static func == (lhs: Boxed, rhs: Boxed) -> Bool { lhs === rhs || lhs.value == rhs.value }

    /// Hashes the value.
    public func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}
