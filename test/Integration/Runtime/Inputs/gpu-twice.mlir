// y = 2x on the GPU: one block of 16 threads doubles a device copy of x.
// Compiled with dq-opt --dq-export-abi --gpu-lower-to-nvvm-pipeline into host
// code that calls the mgpu* functions, with the kernel embedded as PTX.
func.func @twice(%x: memref<16xf32>) -> memref<16xf32> {
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %y = memref.alloc() : memref<16xf32>
  %t0 = gpu.wait async
  %d, %t1 = gpu.alloc async [%t0] () : memref<16xf32>
  %t2 = gpu.memcpy async [%t1] %d, %x : memref<16xf32>, memref<16xf32>
  %t3 = gpu.launch async [%t2]
      blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
      threads(%tx, %ty, %tz) in (%sx = %c16, %sy = %c1, %sz = %c1) {
    %v = memref.load %d[%tx] : memref<16xf32>
    %w = arith.addf %v, %v : f32
    memref.store %w, %d[%tx] : memref<16xf32>
    gpu.terminator
  }
  %t4 = gpu.memcpy async [%t3] %y, %d : memref<16xf32>, memref<16xf32>
  %t5 = gpu.dealloc async [%t4] %d : memref<16xf32>
  gpu.wait [%t5]
  return %y : memref<16xf32>
}
