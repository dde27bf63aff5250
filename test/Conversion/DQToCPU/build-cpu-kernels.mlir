// RUN: dq-opt %s --dq-build-cpu-kernels --split-input-file | FileCheck %s

// The f32 route on AVX-512, threaded: activations are copied and summed per
// group, tiles run in scf.parallel, each 64-byte plane is loaded once and
// its fields become floats through vpermps table lookups feeding FMAs with
// broadcast activations; per group the 16 scales/offsets are applied as
// vectors; scratch buffers are freed.
// CHECK-LABEL: func.func private @f32_avx512(
// CHECK-NOT: dq.cpu_kernel
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
func.func private @f32_avx512(memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}}

// -----

// The int8 route on AVX-512: per-group int8 quantization of the
// activations (round to nearest even, clamp to +-127) and vpdpbusd dot
// products with broadcast 4-byte activation words.
// CHECK-LABEL: func.func private @int8_avx512(
// CHECK: memref.alloc(%{{.*}}) : memref<?x64xi8>
// CHECK: math.roundeven
// CHECK: arith.fptosi %{{.*}} : vector<16xf32> to vector<16xi32>
// CHECK: arith.trunci %{{.*}} : vector<16xi32> to vector<16xi8>
// CHECK: scf.parallel
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
func.func private @int8_avx512(memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = true, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}}

// -----

// The generic target uses no intrinsic: integer dot products are byte
// shifts, masks and i32 multiplies; without threads there is no
// scf.parallel. bf16 activations are extended on load and rounded on store.
// CHECK-LABEL: func.func private @int8_generic_serial(
// CHECK-NOT: scf.parallel
// CHECK-NOT: llvm.call_intrinsic
// CHECK: arith.extf %{{.*}} : vector<16xbf16> to vector<16xf32>
// CHECK: arith.muli %{{.*}} : vector<16xi32>
// CHECK: arith.truncf %{{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK-NOT: scf.parallel
// CHECK-NOT: llvm.call_intrinsic
func.func private @int8_generic_serial(memref<?x64xbf16, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf32>, memref<2x2x16xf32>, memref<?x32xbf16>) attributes {dq.cpu_kernel = {activation = bf16, int8 = true, m_block = 2 : i64, parallel = false, target = "generic", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f32, layout = #dq_cpu.n16k4>}}

// -----

// 3 bits, a per-channel group of 40 columns padded to one 32-column chunk
// pair (64 columns): three planes per chunk, the scalar copy loop for a
// group that is not a multiple of 16, and f32 conversion of the fields.
// CHECK-LABEL: func.func private @w3_perchannel(
// CHECK: memref.load %{{.*}} : memref<?x40xf32, strided<[?, 1], offset: ?>>
// CHECK-COUNT-3: vector.load %{{.*}} : memref<1x384xi8>, vector<64xi8>
// CHECK: arith.sitofp %{{.*}} : vector<16xi32> to vector<16xf32>
func.func private @w3_perchannel(memref<?x40xf32, strided<[?, 1], offset: ?>>, memref<1x384xi8>, memref<1x1x16xf16>, memref<1x1x16xf16>, memref<?x16xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[5, 40], bits = 3, group = 40, scale = f16, layout = #dq_cpu.n16k4>}}
