// Creates a TMA descriptor for a 128x64 f16 memref, tiled in 32x64 boxes
// with 128-byte swizzling (for gpu-mock-driver.test).
!desc = !nvgpu.tensormap.descriptor<tensor = memref<32x64xf16, 3>, swizzle = swizzle_128b, l2promo = none, oob = zero, interleave = none>
func.func @tma(%m: memref<128x64xf16>) {
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  %u = memref.cast %m : memref<128x64xf16> to memref<*xf16>
  %d = nvgpu.tma.create.descriptor %u box[%c32, %c64] : memref<*xf16> -> !desc
  return
}
