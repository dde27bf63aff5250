// RUN: dq-opt %s --dq-build-cpu-kernels --split-input-file --verify-diagnostics

// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: expected a dictionary}}
func.func private @not_dict(memref<?x64xf32, strided<[?, 1], offset: ?>>) attributes {dq.cpu_kernel = 1 : i64}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: needs weight, activation, target, int8, m_block and parallel}}
func.func private @missing(memref<?x64xf32, strided<[?, 1], offset: ?>>) attributes {dq.cpu_kernel = {activation = f32}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: weight must be an n16k4 !dq.weight}}
func.func private @row_major(memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<20x16xi8>, memref<20x2xf16>, memref<20x2xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: target must be avx512, avx2 or generic}}
func.func private @host(memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 8 : i64, parallel = true, target = "host", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: activation must be f32, f16 or bf16}}
func.func private @f64(memref<?x64xf64, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf64>) attributes {dq.cpu_kernel = {activation = f64, int8 = false, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}}

// -----

// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: m_block must be 1, 2, 4 or 8}}
func.func private @mblock(memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 16 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}}

// -----

// The packed buffer of a 20x64 2-bit weight is 2x256 bytes.
// expected-error @+1 {{'func.func' op has a malformed dq.cpu_kernel attribute: the function type does not match the recorded kernel}}
func.func private @signature(memref<?x64xf32, strided<[?, 1], offset: ?>>, memref<2x128xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>, memref<?x32xf32>) attributes {dq.cpu_kernel = {activation = f32, int8 = false, m_block = 8 : i64, parallel = true, target = "avx512", weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>}}

// -----

// expected-error @+1 {{'func.func' op is marked dq.cpu_kernel but already has a body}}
func.func private @has_body() attributes {dq.cpu_kernel = {}} {
  return
}
