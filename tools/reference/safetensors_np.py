"""Minimal safetensors reader/writer in pure numpy (no torch, no safetensors package).

File layout (https://github.com/huggingface/safetensors):
  8 bytes   : little-endian uint64 N = length of the JSON header
  N bytes   : UTF-8 JSON header {"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
              (padded with trailing spaces so that the data section starts 8-byte aligned)
  rest      : raw little-endian tensor bytes; data_offsets are relative to the start of this section

Supported dtypes: F32, F16, BF16 (plus F64/I64/I32 for completeness of the reader).
BF16 is produced from float32 by round-to-nearest-even on the upper 16 bits of the float32 bit pattern.
"""
import json
import struct

import numpy as np

_NP_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "BF16": np.dtype("<u2"),  # stored as raw uint16 bit patterns
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
}


def float32_to_bf16_bits(x):
    """float array -> uint16 bf16 bit patterns, round-to-nearest-even (NaN kept as quiet NaN)."""
    f = np.ascontiguousarray(np.asarray(x, dtype=np.float32))
    u = f.view(np.uint32).astype(np.uint64)
    rounding_bias = np.uint64(0x7FFF) + ((u >> np.uint64(16)) & np.uint64(1))
    out = ((u + rounding_bias) >> np.uint64(16)).astype(np.uint16)
    nan = np.isnan(f)
    if nan.any():
        out = np.where(nan, ((u >> np.uint64(16)) | np.uint64(0x0040)).astype(np.uint16), out)
    return out


def bf16_bits_to_float32(bits):
    b = np.asarray(bits, dtype=np.uint16)
    return (b.astype(np.uint32) << np.uint32(16)).view(np.float32)


def round_to_dtype(x, dtype):
    """Round a float array to the given safetensors dtype and return it as float64 (the value that gets stored)."""
    x = np.asarray(x, dtype=np.float64)
    if dtype == "F32":
        return x.astype(np.float32).astype(np.float64)
    if dtype == "F16":
        return x.astype(np.float16).astype(np.float64)
    if dtype == "BF16":
        # float64 -> float32 (RNE) -> bf16 (RNE). Double rounding is what torch's
        # float32-weights.to(bfloat16) path does too; the inputs here are float32 anyway.
        return bf16_bits_to_float32(float32_to_bf16_bits(x.astype(np.float32))).astype(np.float64)
    if dtype == "F64":
        return x
    raise ValueError(f"unsupported dtype {dtype}")


def _encode(arr, dtype):
    if dtype == "BF16":
        data = float32_to_bf16_bits(np.asarray(arr, dtype=np.float32))
    else:
        data = np.asarray(arr).astype(_NP_DTYPES[dtype])
    return np.ascontiguousarray(data).tobytes(order="C")


def serialize(tensors, dtype="F32", metadata=None):
    """tensors: dict name -> array (float). dtype: one dtype for all, or dict name -> dtype. Returns bytes."""
    names = sorted(tensors)
    header = {"__metadata__": dict(metadata) if metadata is not None else {"format": "pt"}}
    blobs = []
    offset = 0
    for name in names:
        dt = dtype[name] if isinstance(dtype, dict) else dtype
        arr = np.asarray(tensors[name])
        blob = _encode(arr, dt)
        header[name] = {"dtype": dt, "shape": [int(s) for s in arr.shape],
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((8 - len(hbytes) % 8) % 8)
    return struct.pack("<Q", len(hbytes)) + hbytes + b"".join(blobs)


def save_file(tensors, path, dtype="F32", metadata=None):
    with open(path, "wb") as f:
        f.write(serialize(tensors, dtype, metadata))


def tensor_nbytes(arr, dtype):
    return int(np.prod(np.asarray(arr).shape, dtype=np.int64)) * (2 if dtype in ("F16", "BF16") else _NP_DTYPES[dtype].itemsize)


def load_file(path, decode_bf16=True):
    """Returns (tensors, header). BF16 tensors are decoded to float32 unless decode_bf16=False (then raw uint16)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        dt = _NP_DTYPES[info["dtype"]]
        arr = np.frombuffer(data[begin:end], dtype=dt).reshape(info["shape"]).copy()
        if info["dtype"] == "BF16" and decode_bf16:
            arr = bf16_bits_to_float32(arr)
        out[name] = arr
    return out, header


def load_model_dir(directory):
    """Load model.safetensors or a sharded checkpoint described by model.safetensors.index.json."""
    import os
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            weight_map = json.load(f)["weight_map"]
        out = {}
        for shard in sorted(set(weight_map.values())):
            tensors, _ = load_file(os.path.join(directory, shard))
            for k, v in tensors.items():
                assert weight_map.get(k) == shard, f"{k} found in {shard} but index says {weight_map.get(k)}"
                out[k] = v
        missing = set(weight_map) - set(out)
        assert not missing, f"index lists tensors missing from shards: {sorted(missing)}"
        return out
    tensors, _ = load_file(os.path.join(directory, "model.safetensors"))
    return tensors
