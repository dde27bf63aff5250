"""Python bindings of the dq runtime (libdqrt, runtime/include/dqrt/dqrt.h).

Runs modules compiled by dq-opt (LLVM-dialect `.mlir`, JIT-compiled) or by
dq-compile (`.so`, ahead of time) with numpy arrays in and out, the way
`iree.runtime` runs IREE modules:

    import dqrt
    rt = dqrt.Runtime(threads=2)
    mod = rt.load("model.ll.mlir")
    forward = mod["forward"]
    (y,) = forward(x)              # numpy in, numpy out

Copies: an argument that is already a C-contiguous array of the declared
element type is passed by pointer, without a copy (others are converted
once). A result is a numpy view of the buffer libdqrt returned, kept alive by
the array, again without a copy. A tied argument (`dq.tied_result` in the IR, e.g. a KV cache) is updated in
place and returned as the very array that was passed, provided it was a
C-contiguous array of the declared type; otherwise the converted copy is
updated and returned, and the caller's array is left as it was.

bf16 has no numpy type: bf16 arguments
take float32 arrays (rounded to nearest even here) or uint16 arrays of raw
bf16 bits, and bf16 results come back as float32 (exact widening).

libdqrt.so is found through $DQRT_LIBRARY, else next to this package in a
dq build tree (build/lib/libdqrt.so), else by the loader's search path.
Every failure raises DqrtError with the runtime's code and message.
"""

import ctypes
import os
import weakref

import numpy as np

__all__ = ["DqrtError", "Runtime", "Module", "Function", "TensorType",
           "bf16_bits_to_f32", "f32_to_bf16_bits"]

# dqrt_status_code
OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE, INVALID_MODULE, INTERNAL = range(6)
_CODE_NAMES = {OK: "ok", INVALID_ARGUMENT: "invalid argument",
               NOT_FOUND: "not found", UNAVAILABLE: "unavailable",
               INVALID_MODULE: "invalid module", INTERNAL: "internal"}

# dqrt_dtype -> (name, numpy dtype of the storage)
_DTYPES = {0: ("f32", np.float32), 1: ("f16", np.float16),
           2: ("bf16", np.uint16), 3: ("f64", np.float64),
           4: ("i1", np.bool_), 5: ("i8", np.int8), 6: ("i32", np.int32),
           7: ("i64", np.int64)}
_BF16 = 2
_MAX_RANK = 16


class DqrtError(RuntimeError):
    """A failed runtime call: `code` is a dqrt_status_code, `code_name` its
    name, and the message is the runtime's."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.code_name = _CODE_NAMES.get(code, "code %d" % code)


class _RuntimeOptions(ctypes.Structure):
    _fields_ = [("device", ctypes.c_int), ("num_threads", ctypes.c_int32),
                ("jit_opt_level", ctypes.c_int32)]


class _BufferView(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int32),
                ("shape", ctypes.POINTER(ctypes.c_int64)),
                ("data", ctypes.c_void_p)]


def _find_library():
    explicit = os.environ.get("DQRT_LIBRARY")
    if explicit:
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    # runtime/python/dqrt -> the source root; the default build folder.
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))
    candidate = os.path.join(root, "build", "lib", "libdqrt.so")
    return candidate if os.path.exists(candidate) else "libdqrt.so"


_lib = None


class _PoolStats(ctypes.Structure):
    _fields_ = [("allocations", ctypes.c_uint64), ("reused", ctypes.c_uint64),
                ("cached_bytes", ctypes.c_uint64),
                ("limit_bytes", ctypes.c_uint64)]


class _ProfileRegion(ctypes.Structure):
    _fields_ = [("function", ctypes.c_char_p), ("op_class", ctypes.c_char_p),
                ("op", ctypes.c_char_p), ("calls", ctypes.c_uint64),
                ("nanoseconds", ctypes.c_uint64)]


def pool_stats():
    """The runtime's buffer pool (dqrt_get_pool_stats): a dict of
    allocations (of 64 KiB or more, since start), reused (of those, served
    from the pool), cached_bytes and limit_bytes."""
    stats = _PoolStats()
    _library().dqrt_get_pool_stats(ctypes.byref(stats))
    return {name: getattr(stats, name) for name, _ in _PoolStats._fields_}


def release_pool():
    """Returns the pool's cached blocks to the system."""
    _library().dqrt_release_pool()


def set_pool_limit(limit_bytes):
    """Sets the most the pool holds, freeing its oldest blocks to fit."""
    _library().dqrt_set_pool_limit(int(limit_bytes))


def _library():
    global _lib
    if _lib is not None:
        return _lib
    path = _find_library()
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise DqrtError(NOT_FOUND,
                        "cannot load libdqrt (%s): %s; set DQRT_LIBRARY to "
                        "build/lib/libdqrt.so" % (path, e)) from None
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    i64p = ctypes.POINTER(ctypes.c_int64)
    sigs = {
        "dqrt_status_get_code": (ctypes.c_int, [vp]),
        "dqrt_status_get_message": (ctypes.c_char_p, [vp]),
        "dqrt_status_free": (None, [vp]),
        "dqrt_runtime_options_init": (None, [ctypes.POINTER(_RuntimeOptions)]),
        "dqrt_runtime_create": (vp, [ctypes.POINTER(_RuntimeOptions),
                                     ctypes.POINTER(vp)]),
        "dqrt_runtime_destroy": (None, [vp]),
        "dqrt_module_load": (vp, [vp, ctypes.c_char_p, ctypes.POINTER(vp)]),
        "dqrt_module_destroy": (None, [vp]),
        "dqrt_module_lookup": (vp, [vp, ctypes.c_char_p, ctypes.POINTER(vp)]),
        "dqrt_function_num_args": (sz, [vp]),
        "dqrt_function_num_results": (sz, [vp]),
        "dqrt_function_result_tied_arg": (ctypes.c_int64, [vp, sz]),
        "dqrt_function_num_tied_copies": (sz, [vp]),
        "dqrt_function_arg_type": (vp, [vp, sz, ctypes.POINTER(ctypes.c_int),
                                        ctypes.POINTER(ctypes.c_int32), i64p,
                                        sz]),
        "dqrt_function_result_type": (vp, [vp, sz,
                                           ctypes.POINTER(ctypes.c_int),
                                           ctypes.POINTER(ctypes.c_int32),
                                           i64p, sz]),
        "dqrt_buffer_dtype": (ctypes.c_int, [vp]),
        "dqrt_buffer_rank": (ctypes.c_int32, [vp]),
        "dqrt_buffer_shape": (i64p, [vp]),
        "dqrt_buffer_num_elements": (sz, [vp]),
        "dqrt_buffer_data": (vp, [vp]),
        "dqrt_buffer_destroy": (None, [vp]),
        "dqrt_function_invoke": (vp, [vp, ctypes.POINTER(_BufferView), sz,
                                      ctypes.POINTER(vp), sz]),
        "dqrt_get_pool_stats": (None, [ctypes.POINTER(_PoolStats)]),
        "dqrt_release_pool": (None, []),
        "dqrt_set_pool_limit": (None, [ctypes.c_uint64]),
        "dqrt_module_profile_size": (vp, [vp, ctypes.POINTER(sz)]),
        "dqrt_module_profile_region": (vp, [vp, sz,
                                            ctypes.POINTER(_ProfileRegion)]),
        "dqrt_module_reset_profile": (vp, [vp]),
    }
    for name, (restype, argtypes) in sigs.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    _lib = lib
    return lib


def _check(status):
    """Raises DqrtError for a non-NULL status, freeing it."""
    if not status:
        return
    lib = _library()
    code = lib.dqrt_status_get_code(status)
    message = lib.dqrt_status_get_message(status).decode("utf-8", "replace")
    lib.dqrt_status_free(status)
    raise DqrtError(code, message)


def f32_to_bf16_bits(array):
    """float32 -> raw bf16 bits (uint16), rounding to nearest even; NaN stays
    NaN (quiet)."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    nan = (bits & 0x7FFFFFFF) > 0x7F800000
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    out = np.where(nan, (bits >> 16) | 0x40, rounded)
    return out.astype(np.uint16)


def bf16_bits_to_f32(bits):
    """Raw bf16 bits (uint16) -> float32 (exact)."""
    wide = np.asarray(bits, dtype=np.uint16).astype(np.uint32) << 16
    return wide.view(np.float32)


class TensorType:
    """A declared argument or result type: `dtype` ("f32", "bf16", ...) and
    `shape` (None for a dynamic dimension)."""

    def __init__(self, dtype_code, dims):
        self.dtype_code = dtype_code
        self.dtype = _DTYPES[dtype_code][0]
        self.shape = tuple(None if d < 0 else d for d in dims)

    def __repr__(self):
        dims = "x".join("?" if d is None else str(d) for d in self.shape)
        return "tensor<%s>" % ((dims + "x" if dims else "") + self.dtype)


class _Buffer:
    """Owns one dqrt_buffer. It exposes the memory through numpy's array
    interface, so an array made from it keeps it (and the memory) alive."""

    def __init__(self, handle):
        lib = _library()
        self._finalizer = weakref.finalize(self, lib.dqrt_buffer_destroy,
                                           ctypes.c_void_p(handle))
        self.dtype_code = lib.dqrt_buffer_dtype(handle)
        rank = lib.dqrt_buffer_rank(handle)
        shape_ptr = lib.dqrt_buffer_shape(handle)
        shape = tuple(shape_ptr[i] for i in range(rank))
        data = lib.dqrt_buffer_data(handle) or 0
        storage = np.dtype(_DTYPES[self.dtype_code][1])
        self.__array_interface__ = {
            "version": 3, "shape": shape, "typestr": storage.str,
            "data": (data, False)}

    def to_numpy(self):
        if 0 in self.__array_interface__["shape"]:
            array = np.zeros(self.__array_interface__["shape"],
                             dtype=self.__array_interface__["typestr"])
        else:
            array = np.asarray(self)
        if self.dtype_code == _BF16:
            return bf16_bits_to_f32(array)
        return array


class Function:
    """A compiled public function; call it with numpy arrays."""

    def __init__(self, module, handle, name):
        self._module = module  # keeps the module (and runtime) alive
        self._handle = handle
        self.name = name
        lib = _library()
        self.arg_types = [self._type(lib.dqrt_function_arg_type, i)
                          for i in range(lib.dqrt_function_num_args(handle))]
        self.result_types = [
            self._type(lib.dqrt_function_result_type, i)
            for i in range(lib.dqrt_function_num_results(handle))]
        # Result index -> the argument it is returned in (dq.tied_result).
        self.tied_args = {}
        for i in range(len(self.result_types)):
            arg = lib.dqrt_function_result_tied_arg(handle, i)
            if arg >= 0:
                self.tied_args[i] = arg

    @property
    def num_tied_copies(self):
        """Tied results the compiled code did not update in place (copied
        into their argument by the runtime), over all calls so far."""
        return _library().dqrt_function_num_tied_copies(self._handle)

    def _type(self, query, index):
        dtype = ctypes.c_int()
        rank = ctypes.c_int32()
        dims = (ctypes.c_int64 * _MAX_RANK)()
        _check(query(self._handle, index, ctypes.byref(dtype),
                     ctypes.byref(rank), dims, _MAX_RANK))
        return TensorType(dtype.value, [dims[i] for i in range(rank.value)])

    def _argument(self, index, value):
        """The array passed for argument `index`: `value` itself when it is
        already C-contiguous with the declared element type."""
        expected = self.arg_types[index]
        array = np.asarray(value)
        if expected.dtype_code == _BF16 and array.dtype != np.uint16:
            if not np.issubdtype(array.dtype, np.floating):
                raise DqrtError(
                    INVALID_ARGUMENT,
                    "argument #%d of '%s': expected %r (float32 or raw bf16 "
                    "bits as uint16), got an array of %s"
                    % (index, self.name, expected, array.dtype))
            return f32_to_bf16_bits(array)
        storage = np.dtype(_DTYPES[expected.dtype_code][1])
        if array.dtype != storage:
            # Widening is safe to do silently; anything else the caller must
            # ask for, as dq-run refuses a wrong-typed .npy.
            if not np.can_cast(array.dtype, storage, casting="safe"):
                raise DqrtError(
                    INVALID_ARGUMENT,
                    "argument #%d of '%s': expected %r, got an array of %s"
                    % (index, self.name, expected, array.dtype))
            array = array.astype(storage)
        return np.ascontiguousarray(array)

    def __call__(self, *args):
        lib = _library()
        if len(args) != len(self.arg_types):
            raise DqrtError(INVALID_ARGUMENT,
                            "'%s' takes %d arguments, got %d"
                            % (self.name, len(self.arg_types), len(args)))
        arrays = [self._argument(i, a) for i, a in enumerate(args)]
        views = (_BufferView * max(1, len(arrays)))()
        shapes = []
        for i, array in enumerate(arrays):
            shape = (ctypes.c_int64 * max(1, array.ndim))(*array.shape)
            shapes.append(shape)
            views[i].dtype = self.arg_types[i].dtype_code
            views[i].rank = array.ndim
            views[i].shape = shape
            views[i].data = array.ctypes.data
        results = (ctypes.c_void_p * max(1, len(self.result_types)))()
        _check(lib.dqrt_function_invoke(self._handle, views, len(arrays),
                                        results, len(self.result_types)))
        out = []
        for i in range(len(self.result_types)):
            if i in self.tied_args:
                # The result lives in the argument's memory: hand back the
                # array that was passed (the caller's own when no conversion
                # was needed), and free only the runtime's view.
                lib.dqrt_buffer_destroy(results[i])
                array = arrays[self.tied_args[i]]
                if self.result_types[i].dtype_code == _BF16:
                    array = bf16_bits_to_f32(array)
                out.append(array)
            else:
                out.append(_Buffer(results[i]).to_numpy())
        return tuple(out)

    def __repr__(self):
        return "<dqrt.Function %s(%s) -> (%s)>" % (
            self.name, ", ".join(map(repr, self.arg_types)),
            ", ".join(map(repr, self.result_types)))


class Module:
    """A loaded module; `module["name"]` looks up a function."""

    def __init__(self, runtime, path):
        self._runtime = runtime  # a module must not outlive its runtime
        handle = ctypes.c_void_p()
        _check(_library().dqrt_module_load(runtime._handle,
                                           os.fsencode(path),
                                           ctypes.byref(handle)))
        self._handle = handle.value
        self._finalizer = weakref.finalize(
            self, _library().dqrt_module_destroy, ctypes.c_void_p(handle.value))
        self.path = path

    def __getitem__(self, name):
        handle = ctypes.c_void_p()
        _check(_library().dqrt_module_lookup(self._handle, name.encode(),
                                             ctypes.byref(handle)))
        return Function(self, handle.value, name)

    def profile(self):
        """The regions of a module compiled with
        --dq-cpu-pipeline=profile=true (docs/profile.md): a list of dicts
        function, op_class, op, calls, nanoseconds, counted since load or
        the last reset_profile(). DqrtError (NOT_FOUND) for a module
        compiled without them."""
        lib = _library()
        count = ctypes.c_size_t()
        _check(lib.dqrt_module_profile_size(self._handle,
                                            ctypes.byref(count)))
        regions = []
        for i in range(count.value):
            r = _ProfileRegion()
            _check(lib.dqrt_module_profile_region(self._handle, i,
                                                  ctypes.byref(r)))
            regions.append({"function": r.function.decode(),
                            "op_class": r.op_class.decode(),
                            "op": r.op.decode(), "calls": r.calls,
                            "nanoseconds": r.nanoseconds})
        return regions

    def reset_profile(self):
        """Sets every profile region's counts to 0."""
        _check(_library().dqrt_module_reset_profile(self._handle))


class Runtime:
    """A dq runtime on `device` ("cpu" or "cuda") with `threads` threads for
    multi-threaded code (0: all cores) and JIT optimization level
    `opt_level`."""

    def __init__(self, device="cpu", threads=0, opt_level=3):
        lib = _library()
        devices = {"cpu": 0, "cuda": 1}
        if device not in devices:
            raise DqrtError(INVALID_ARGUMENT,
                            "unknown device '%s'; expected cpu or cuda"
                            % device)
        options = _RuntimeOptions()
        lib.dqrt_runtime_options_init(ctypes.byref(options))
        options.device = devices[device]
        options.num_threads = threads
        options.jit_opt_level = opt_level
        handle = ctypes.c_void_p()
        _check(lib.dqrt_runtime_create(ctypes.byref(options),
                                       ctypes.byref(handle)))
        self._handle = handle.value
        self._finalizer = weakref.finalize(
            self, lib.dqrt_runtime_destroy, ctypes.c_void_p(handle.value))

    def load(self, path):
        """Loads a `.mlir` (JIT) or `.so` (dq-compile) module."""
        return Module(self, path)
