// dq.matmul on constant weights becomes dq.kernel ops with a typed
// #dq_gpu.matmul config, whose host functions --dq-build-cuda-kernels writes
// after bufferization; the route follows the static row count.
// RUN: dq-opt %s --dq-pack-weights=layout=gpu_chunked --dq-lower-matmul-cuda | FileCheck %s
// The kernels and host bodies: gemv (vector loads of 16-byte chunks, warp
// shuffles), gemm (workgroup tiles, nvvm.mma.sync), the padding kernel,
// NaN-filled outputs, cached device weights.
// RUN: dq-opt %s --dq-pack-weights=layout=gpu_chunked --dq-lower-matmul-cuda --one-shot-bufferize=bufferize-function-boundaries --dq-build-cuda-kernels=chip=sm_80 | FileCheck %s --check-prefix=KERNELS
// The same kernels lower to NVVM and PTX.
// RUN: dq-opt %s --dq-cuda-pipeline="chip=sm_80" | FileCheck %s --check-prefix=LLVM

// CHECK-LABEL: func.func @gemv(
// CHECK-SAME: %[[X:.*]]: tensor<1x64xf16>
// CHECK: %[[P:.*]] = arith.constant dense_resource<gemv_q_gpu_chunked> : tensor<3x32xi8>
// CHECK: %[[E:.*]] = tensor.empty() : tensor<1x3xf16>
// CHECK: %[[Y:.*]] = dq.kernel @__dq_cuda_matmul_0 #dq_gpu.matmul<weight = !dq.weight<[3, 64], bits = 4, group = 32, scale = f16, layout = #dq_gpu.chunked>, route = gemv, m_block = 1, rows_per_warp = 2, warps = 4, tile_m = 64, tile_n = 64, poison = true, repeat = 1, cache_weight = true> ins(%[[X]], %[[P]], %{{.*}}, %{{.*}} : tensor<1x64xf16>, tensor<3x32xi8>, tensor<3x2xf16>, tensor<3x2xf16>) outs(%[[E]] : tensor<1x3xf16>) -> tensor<1x3xf16>
// CHECK: return %[[Y]]
func.func @gemv(%x: tensor<1x64xf16>) -> tensor<1x3xf16> {
  %w = dq.constant packed(dense_resource<gemv_q> : tensor<3x32xi8>) scale(dense_resource<gemv_s> : tensor<3x2xf16>) offset(dense_resource<gemv_z> : tensor<3x2xf16>) : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16>
  %y = dq.matmul %x, %w : tensor<1x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16> -> tensor<1x3xf16>
  return %y : tensor<1x3xf16>
}

// M = 64 with bf16 activations: the tensor-core route; per-channel K = 100
// pads each row to 128 columns (4 chunks of 32 at 3 bits).
// CHECK-LABEL: func.func @gemm(
// CHECK: dq.kernel @__dq_cuda_matmul_1 #dq_gpu.matmul<{{.*}}route = gemm
func.func @gemm(%x: tensor<64x100xbf16>) -> tensor<64x5xbf16> {
  %w = dq.constant packed(dense_resource<gemm_q> : tensor<5x38xi8>) scale(dense_resource<gemm_s> : tensor<5x1xbf16>) offset(dense_resource<gemm_z> : tensor<5x1xbf16>) : !dq.weight<[5, 100], bits = 3, group = 100, scale = bf16>
  %y = dq.matmul %x, %w : tensor<64x100xbf16>, !dq.weight<[5, 100], bits = 3, group = 100, scale = bf16> -> tensor<64x5xbf16>
  return %y : tensor<64x5xbf16>
}

// f32 activations have no tensor-core route: gemv in blocks of 8 rows.
// CHECK-LABEL: func.func @f32_rows(
// CHECK: dq.kernel @__dq_cuda_matmul_2 #dq_gpu.matmul<{{.*}}route = gemv, m_block = 8,
func.func @f32_rows(%x: tensor<16x128xf32>) -> tensor<16x7xf32> {
  %w = dq.constant packed(dense_resource<f32rows_q> : tensor<7x32xi8>) scale(dense_resource<f32rows_s> : tensor<7x2xf32>) offset(dense_resource<f32rows_z> : tensor<7x2xf32>) : !dq.weight<[7, 128], bits = 2, group = 64, scale = f32>
  %y = dq.matmul %x, %w : tensor<16x128xf32>, !dq.weight<[7, 128], bits = 2, group = 64, scale = f32> -> tensor<16x7xf32>
  return %y : tensor<16x7xf32>
}

// A dynamic row count and batch dimensions: gemm, collapsed to [M, K].
// CHECK-LABEL: func.func @dynamic(
// CHECK: tensor.collapse_shape
// CHECK: %[[DM:.*]] = tensor.dim
// CHECK: %[[E:.*]] = tensor.empty(%[[DM]]) : tensor<?x3xf16>
// CHECK: dq.kernel @__dq_cuda_matmul_3 #dq_gpu.matmul<{{.*}}route = gemm{{.*}} outs(%[[E]] : tensor<?x3xf16>)
// CHECK: tensor.expand_shape
func.func @dynamic(%x: tensor<2x?x64xf16>) -> tensor<2x?x3xf16> {
  %w = dq.constant packed(dense_resource<dyn_q> : tensor<3x32xi8>) scale(dense_resource<dyn_s> : tensor<3x2xf16>) offset(dense_resource<dyn_z> : tensor<3x2xf16>) : !dq.weight<[3, 64], bits = 4, group = 32, scale = f16>
  %y = dq.matmul %x, %w : tensor<2x?x64xf16>, !dq.weight<[3, 64], bits = 4, group = 32, scale = f16> -> tensor<2x?x3xf16>
  return %y : tensor<2x?x3xf16>
}

// CHECK-NOT: func.func private

// KERNELS: module attributes {gpu.container_module}
// KERNELS: llvm.mlir.global internal @__dq_cuda_matmul_0_device_packed()
// KERNELS: func.func private @__dq_cuda_matmul_0(
// KERNELS: scf.if
// KERNELS: gpu.alloc async
// KERNELS: llvm.store
// KERNELS: memref.view
// KERNELS: memref.copy
// KERNELS: gpu.memset async [%{{.*}}] %{{.*}}, %{{.*}} : memref<?x3xf16>, f16
// KERNELS: gpu.launch_func async [%{{.*}}] @__dq_cuda_kernels::@gemv_w4g32_3x64_f16_xf16_mb1_r2_w4 blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// KERNELS: gpu.dealloc async
// KERNELS: func.func private @__dq_cuda_matmul_1(
// KERNELS: gpu.launch_func async [%{{.*}}] @__dq_cuda_kernels::@pad_k100g100p128_bf16
// KERNELS: gpu.launch_func async [%{{.*}}] @__dq_cuda_kernels::@gemm_w3g100_5x100_bf16_xbf16_t64x64
// KERNELS: gpu.module @__dq_cuda_kernels [#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">]
// KERNELS: gpu.func @gemv_w4g32_3x64_f16_xf16_mb1_r2_w4(%{{.*}}: memref<?x64xf16>, %{{.*}}: memref<3x8xi32>, %{{.*}}: memref<3x2xf16>, %{{.*}}: memref<3x2xf16>, %{{.*}}: memref<?x3xf16>) kernel
// KERNELS: scf.for
// KERNELS: vector.load %{{.*}} {alignment = 16 : i64} : memref<3x8xi32>, vector<4xi32>
// KERNELS: vector.load %{{.*}} {alignment = 16 : i64} : memref<?x64xf16>, vector<8xf16>
// KERNELS: arith.ori %{{.*}}, %{{.*}} : i32
// KERNELS: math.fma
// KERNELS: gpu.shuffle {{ *}}xor
// KERNELS: gpu.return
// KERNELS: gpu.func @pad_k100g100p128_bf16(
// KERNELS: gpu.func @gemm_w3g100_5x100_bf16_xbf16_t64x64({{.*}}) workgroup(%{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>, %{{.*}} : memref<64x72xbf16, #gpu.address_space<workgroup>>) kernel
// KERNELS: vector.load %{{.*}} {alignment = 4 : i64} : memref<5x12xi32>, vector<3xi32>
// KERNELS: vector.from_elements
// KERNELS: gpu.barrier
// KERNELS: nvvm.mma.sync A[{{.*}}] B[{{.*}}] C[{{.*}}] {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<bf16>, multiplicandBPtxType = #nvvm.mma_type<bf16>, shape = #nvvm.shape<m = 16, n = 8, k = 16>} : (i32, i32, f32) -> !llvm.struct<(f32, f32, f32, f32)>
// KERNELS: gpu.func @gemv_w2g64_7x128_f32_xf32_mb8_r2_w4(
// KERNELS: gpu.func @gemm_w4g32_3x64_f16_xf16_t64x64(
// KERNELS: nvvm.mma.sync {{.*}} : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>

// LLVM-DAG: llvm.call @mgpuMemAlloc(
// LLVM-DAG: llvm.call @mgpuMemset16(
// LLVM-DAG: llvm.call @mgpuMemcpy(
// LLVM-DAG: gpu.launch_func <%{{.*}} : !llvm.ptr> @__dq_cuda_kernels::@gemv_w4g32_3x64_f16_xf16_mb1_r2_w4
// LLVM-DAG: gpu.binary @__dq_cuda_kernels {{ *}}[#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">, properties = {{.*}}, assembly = "{{.*}}.target sm_80
{-#
  dialect_resources: {
    builtin: {
      gemv_q: "0x1000000042480FC287ECE18A887A2BB4EC7C6A54E9F2228207C66D9A2D59BD60568C348408EDB6D04CDAA93CF14AB4D84A000CB7846D9555DF77E26B0CB23D2B27F2B72D923A25E64DB8EB4AE538197A72314EA93D5FE70EF271D3EE8AE42D6161D17DB1",
      gemv_s: "0x100000007F292C24B526A022AC298629",
      gemv_z: "0x100000009CAC8D1D31AABD9673210AAD",
      gemm_q: "0x1000000093FC9BA11A775FEF33564DE1C30234CA19AA2E6AAE4527DFB9537DBE42536F4438438C87E5003F2502FFF004020EAC86A3728846EF3739B696FBBCE48B1C444FFFDCDBDC6F3D62371A826C0E07F7A986764E79552B066845B9DFD15C2EDF22BC9E875EAE9A1B73634E89E4A6D0389B71E600E9EE282DCCEBCF54E365EC09C36044338DED5C5BE17EB6062E5DED57D97D8C9BA83249A6A804EA2586217699586A0368561FC39C684718213A03DFC469B0F666BC4DE64D32709C8F403CE10A",
      gemm_s: "0x100000004B3DB43CA63C533CB83C",
      gemm_z: "0x10000000463CBDBD2DBD48BD8EBD",
      f32rows_q: "0x1000000057F7DAF012D74AA73B759A0D04A12296C8CC2B85B5FEBF40AAA376E4E59D086A11F4B88E2CDF099667338370E27DAB143709824D8929B78740E8E7F6E595ACCDD9012AE29DC75FAC1DC1B3E6CF4D9DDCBF87E13CF9FEB8ECBD1C57E84C508115D356FD5A822544A99678E78F99315B0E80D6AEEDD152BF72D9D03AAAAF436A6C72645818F8190DCB253CE5B8FB72896E0D0CE051EEF98B6830A41C058A4884B437CD58EC0432B91422AA81E852CCE7DDBB7B0FEDD7283ADC527777FDCAA9CFC5A361F9A0773667D5A2A51EEA3F723339A65429DD144DBDB6558D3D56BA8664D6",
      f32rows_s: "0x100000005699933CCFED0A3DE4A4DF3C203D1D3D36D3903C5F0AEC3C5C903E3D047A093DE606413D42E6233D80EE7B3CB9B0123DC8688E3C35AB523C",
      f32rows_z: "0x100000004ECCA93C8C32C9BDBF42B7BDA73EB3BCC3B382BDEAF0063D29D235BD507F53BD32C3283CDD19A23B4F9E8D3D215C833DE9B4B13DF7439FBD",
      dyn_q: "0x100000008D46E6870FD5BA223FC425B563E4F8A2F0C743AE02E66C2E1BA0971D6C9EE9DA8013F6F35A12B17E643D932088C8E0FE48002AF139A16C5C647646C86A4AF59077B0AB0E57C2B64B121619494CC6D67D5608DB6EC4F7134A3028BAD63714639B",
      dyn_s: "0x10000000512A9D2797252C2386225B2A",
      dyn_z: "0x10000000572B212E722C19A3E0AB921F"
    }
  }
#-}
