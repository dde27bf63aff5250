// RUN: dq-opt %s --dq-build-cpu-kernels --split-input-file | FileCheck %s

// The f32 route on AVX-512, threaded: activations are copied and summed per
// group, tiles run in scf.parallel, each 64-byte plane is loaded once and
// its fields become floats through vpermps table lookups feeding FMAs with
// broadcast activations; per group the 16 scales/offsets are applied as
// vectors; scratch buffers are freed.
// CHECK-LABEL: func.func @call_f32_avx512(
// CHECK-NEXT: call @f32_avx512(%arg0, %arg1, %arg2, %arg3, %arg4)
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @f32_avx512(
// CHECK: %[[XP:.*]] = memref.alloc(%{{.*}}) : memref<?x64xf32>
// CHECK: %[[XS:.*]] = memref.alloc(%{{.*}}) : memref<?x2xf32>
// CHECK: scf.for
// CHECK: vector.load %{{.*}} : memref<?x64xf32, strided<[?, 1], offset: ?>>, vector<16xf32>
// CHECK: vector.reduction <add>
// CHECK: scf.parallel
// CHECK: vector.load %{{.*}} : memref<2x2x16xf16>, vector<16xf16>
// CHECK: arith.extf %{{.*}} : vector<16xf16> to vector<16xf32>
// CHECK: vector.load %{{.*}} : memref<2x256xi8>, vector<64xi8>
// CHECK: vector.bitcast %{{.*}} : vector<64xi8> to vector<16xi32>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.permvar.sf.512"
// CHECK: vector.fma
// CHECK: vector.store %{{.*}} : memref<?x32xf32>, vector<16xf32>
// CHECK: memref.dealloc %[[XP]]
// CHECK: memref.dealloc %[[XS]]
// CHECK-NOT: vpdpbusd
func.func @call_f32_avx512(%x: memref<?x64xf32, strided<[?, 1], offset: ?>>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<?x32xf32>) {
  dq.kernel @f32_avx512 #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<?x32xf32>)
  return
}

// -----

// The int8 route on AVX-512: per-group int8 quantization of the
// activations (round to nearest even, clamp to +-127) and vpdpbusd dot
// products with broadcast 4-byte activation words.
// CHECK-LABEL: func.func @call_int8_avx512(
// CHECK-NEXT: call @int8_avx512(%arg0, %arg1, %arg2, %arg3, %arg4)
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @int8_avx512(
// CHECK: memref.alloc(%{{.*}}) : memref<?x64xi8>
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: scf.parallel
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
func.func @call_int8_avx512(%x: memref<?x64xf32, strided<[?, 1], offset: ?>>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<?x32xf32>) {
  dq.kernel @int8_avx512 #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = true, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<?x32xf32>)
  return
}

// -----

// The generic target uses no intrinsic: integer dot products are byte
// shifts, masks and i32 multiplies; without threads there is no
// scf.parallel. bf16 activations are extended on load and rounded on store.
// CHECK-LABEL: func.func @call_int8_generic_serial(
// CHECK-NEXT: call @int8_generic_serial(%arg0, %arg1, %arg2, %arg3, %arg4)
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @int8_generic_serial(
// CHECK-NOT: scf.parallel
// CHECK-NOT: llvm.call_intrinsic
// CHECK: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: arith.muli %{{.*}} : vector<16xi32>
// CHECK: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK-NOT: scf.parallel
// CHECK-NOT: llvm.call_intrinsic
func.func @call_int8_generic_serial(%x: memref<?x64xbf16, strided<[?, 1], offset: ?>>, %q: memref<2x256xi8>, %s: memref<2x2x16xf32>, %z: memref<2x2x16xf32>, %y: memref<?x32xbf16>) {
  dq.kernel @int8_generic_serial #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f32, layout = #dq_cpu.n16k4>, target = generic, int8 = true, m_block = 2, parallel = false>
      ins(%x, %q, %s, %z : memref<?x64xbf16, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf32>, memref<2x2x16xf32>)
      outs(%y : memref<?x32xbf16>)
  return
}

// -----

// 3 bits, a per-channel group of 40 columns padded to one 32-column chunk
// pair (64 columns): three planes per chunk, the scalar copy loop for a
// group that is not a multiple of 16, and f32 conversion of the fields.
// CHECK-LABEL: func.func @call_w3_perchannel(
// CHECK-NEXT: call @w3_perchannel(%arg0, %arg1, %arg2, %arg3, %arg4)
// CHECK-NEXT: return
// CHECK-LABEL: func.func private @w3_perchannel(
// CHECK: memref.load %{{.*}} : memref<?x40xf32, strided<[?, 1], offset: ?>>
// CHECK-COUNT-3: vector.load %{{.*}} : memref<1x384xi8>, vector<64xi8>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
func.func @call_w3_perchannel(%x: memref<?x40xf32, strided<[?, 1], offset: ?>>, %q: memref<1x384xi8>, %s: memref<1x1x16xf16>, %z: memref<1x1x16xf16>, %y: memref<?x16xf32>) {
  dq.kernel @w3_perchannel #dq_cpu.matmul<weight = !dq.weight<[5, 40], bits = 3, group = 40, scale = f16, layout = #dq_cpu.n16k4>, target = avx512, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<?x40xf32, strided<[?, 1], offset: ?>>, memref<1x384xi8>, memref<1x1x16xf16>, memref<1x1x16xf16>)
      outs(%y : memref<?x16xf32>)
  return
}

// -----

// Operands pass as the kernel's argument types: static buffers through
// memref.cast, an activation with a non-unit inner stride through a copy,
// an output whose row stride the kernel cannot take through a copy back.
// Both calls share one kernel.
// CHECK-LABEL: func.func @call_site(
// CHECK-SAME: %[[X:[^:]*]]: memref<6x64xf32>, %[[XS:[^:]*]]: memref<6x64xf32, strided<[128, 2]>>, %[[Q:[^:]*]]: memref<2x256xi8>, %[[S:[^:]*]]: memref<2x2x16xf16>, %[[Z:[^:]*]]: memref<2x2x16xf16>, %[[Y:[^:]*]]: memref<6x32xf32>, %[[YS:[^:]*]]: memref<6x32xf32, strided<[64, 1]>>)
// CHECK: %[[XC:.*]] = memref.cast %[[X]] : memref<6x64xf32> to memref<?x64xf32, strided<[?, 1], offset: ?>>
// CHECK: %[[YC:.*]] = memref.cast %[[Y]] : memref<6x32xf32> to memref<?x32xf32>
// CHECK: call @kernel(%[[XC]], %[[Q]], %[[S]], %[[Z]], %[[YC]])
// CHECK: %[[T:.*]] = memref.alloc() : memref<6x64xf32>
// CHECK: memref.copy %[[XS]], %[[T]]
// CHECK: %[[TC:.*]] = memref.cast %[[T]]
// CHECK: %[[U:.*]] = memref.alloc() : memref<6x32xf32>
// CHECK: %[[UC:.*]] = memref.cast %[[U]]
// CHECK: call @kernel(%[[TC]], %[[Q]], %[[S]], %[[Z]], %[[UC]])
// CHECK: memref.copy %[[U]], %[[YS]]
// CHECK: memref.dealloc %[[T]]
// CHECK: memref.dealloc %[[U]]
// CHECK: func.func private @kernel(
// CHECK-NOT: func.func
func.func @call_site(%x: memref<6x64xf32>, %xs: memref<6x64xf32, strided<[128, 2]>>, %q: memref<2x256xi8>, %s: memref<2x2x16xf16>, %z: memref<2x2x16xf16>, %y: memref<6x32xf32>, %ys: memref<6x32xf32, strided<[64, 1]>>) {
  dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%y : memref<6x32xf32>)
  dq.kernel @kernel #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%xs, %q, %s, %z : memref<6x64xf32, strided<[128, 2]>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>)
      outs(%ys : memref<6x32xf32, strided<[64, 1]>>)
  return
}
