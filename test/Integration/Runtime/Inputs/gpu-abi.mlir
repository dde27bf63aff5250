// Every GPU host operation the mgpu* ABI covers, for gpu-abi.test.
module attributes {gpu.container_module} {
func.func @all(%h: memref<16xf32>, %h16: memref<16xf16>, %x: f32, %x16: f16,
               %u: memref<*xf32>) {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c0i = arith.constant 0 : i32
  gpu.set_default_device %c0i
  gpu.host_register %u : memref<*xf32>
  %t0 = gpu.wait async
  %t1 = gpu.wait async
  %tj = gpu.wait async [%t0, %t1]
  %d, %t2 = gpu.alloc async [%tj] () : memref<16xf32>
  %d16, %t3 = gpu.alloc async [%t2] () : memref<16xf16>
  %t4 = gpu.memcpy async [%t3] %d, %h : memref<16xf32>, memref<16xf32>
  %t5 = gpu.memset async [%t4] %d, %x : memref<16xf32>, f32
  %t6 = gpu.memset async [%t5] %d16, %x16 : memref<16xf16>, f16
  %t7 = gpu.launch_func async [%t6] @kernels::@k
      blocks in (%c1, %c1, %c1) threads in (%c16, %c1, %c1)
      args(%d : memref<16xf32>)
  %t8 = gpu.launch_func async [%t7] @kernels::@k
      clusters in (%c1, %c1, %c1) blocks in (%c1, %c1, %c1)
      threads in (%c16, %c1, %c1) args(%d : memref<16xf32>)
  %t9 = gpu.dealloc async [%t8] %d16 : memref<16xf16>
  %t10 = gpu.dealloc async [%t9] %d : memref<16xf32>
  gpu.wait [%t10]
  gpu.host_unregister %u : memref<*xf32>
  return
}
gpu.module @kernels {
  gpu.func @k(%m: memref<16xf32>) kernel {
    gpu.return
  }
}
}
