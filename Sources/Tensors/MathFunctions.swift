#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// Thin names over libm so kernels read the same on every platform.
@inline(__always) public func expf32(_ x: Float) -> Float { expf(x) }
@inline(__always) public func logf32(_ x: Float) -> Float { logf(x) }
@inline(__always) public func tanhf32(_ x: Float) -> Float { tanhf(x) }
@inline(__always) public func erff32(_ x: Float) -> Float { erff(x) }
