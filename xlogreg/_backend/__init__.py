"""The one place that knows which concrete array libraries exist.

The rule: only this package names NumPy, torch, CuPy, JAX, Dask, pandas or
polars. Everything else receives an array namespace ``xp`` (from
``array_api_compat``) and arrays, and computes with those alone; the
host-side edges (the command line and the HTTP service) read and write NumPy
arrays, and nothing more. This package answers the questions that need a
concrete library: which namespace and device the inputs live on, which dtype
to compute in, whether a device has float64, how to read a few scalars back
to the host, and how to run on the chunks of a Dask array.

Concrete libraries are imported lazily, inside functions, and DataFrame
libraries are only looked up in ``sys.modules``: importing ``xlogreg`` never
imports torch, CuPy, JAX, Dask, pandas or polars.

One module per job; every public name is re-exported here, so callers import
from ``xlogreg._backend``:

=================  ===========================================================
Module             Job
=================  ===========================================================
``namespace``      The namespace and device of a call's inputs
                   (:func:`resolve`, :func:`describe`); inputs as arrays
                   (:func:`as_array`, :func:`as_numeric`, :func:`count_missing`)
``dataframes``     pandas and polars DataFrames: values, column names, rows
                   (:func:`split_dataframe`, :func:`dataframe_rows`)
``dtypes``         Which dtypes a device has and which to compute in; the one
                   :func:`accumulation_dtype`
``host``           Arrays between the host and the devices: read back
                   (:func:`to_numpy`, :func:`host_floats`), copied onto a device
                   (:func:`to_device`, :func:`from_numpy`), written to files
                   (:func:`host_copy`, :func:`host_text`)
``devices``        Compute devices: installed (:func:`library_devices`), named
                   (:func:`parse_device`, :func:`compute_target`), waited for
                   (:func:`syncs_cheaply`, :func:`synchronize`, :func:`compiles_per_shape`)
``tile_sizes``     Rows per cache tile on each device (:func:`tile_rows`,
                   :func:`host_tile`)
``native``         What a library does its own way (:func:`native_bincount`, :func:`scaled_sum`,
                   :func:`sum_of_squares`, :func:`quiet_overflow`,
                   :func:`contiguous`)
``random_state``   Random numbers from a NumPy ``Generator`` on the host
                   (:func:`check_random_state`, :func:`host_generator`)
``dask_chunks``    Dask arrays' row chunks, held where they live, and
                   map-reduce over them (:class:`RowChunks`,
                   :func:`map_row_chunks`)
=================  ===========================================================
"""

from xlogreg._backend.dask_chunks import (
    RowChunks,
    chunk_namespace,
    is_chunked,
    known_rows,
    map_row_chunks,
)
from xlogreg._backend.dataframes import dataframe_rows, split_dataframe
from xlogreg._backend.devices import (
    compiles_per_shape,
    compute_target,
    library_devices,
    parse_device,
    synchronize,
    syncs_cheaply,
)
from xlogreg._backend.dtypes import (
    accumulation_dtype,
    compute_dtype,
    device_dtype,
    has_float64,
    integer_dtype,
)
from xlogreg._backend.host import (
    from_numpy,
    host_bool,
    host_copy,
    host_floats,
    host_list,
    host_take,
    host_text,
    is_memory_map,
    text_array,
    to_device,
    to_numpy,
)
from xlogreg._backend.namespace import (
    as_array,
    as_numeric,
    count_missing,
    describe,
    is_array,
    resolve,
)
from xlogreg._backend.native import (
    contiguous,
    native_bincount,
    quiet_overflow,
    scaled_sum,
    sum_of_squares,
)
from xlogreg._backend.random_state import check_random_state, host_generator
from xlogreg._backend.tile_sizes import host_tile, tile_rows

__all__ = [
    "RowChunks",
    "accumulation_dtype",
    "as_array",
    "as_numeric",
    "check_random_state",
    "chunk_namespace",
    "compiles_per_shape",
    "compute_dtype",
    "compute_target",
    "contiguous",
    "count_missing",
    "dataframe_rows",
    "describe",
    "device_dtype",
    "from_numpy",
    "has_float64",
    "host_bool",
    "host_copy",
    "host_floats",
    "host_generator",
    "host_list",
    "host_take",
    "host_text",
    "host_tile",
    "integer_dtype",
    "is_array",
    "is_chunked",
    "is_memory_map",
    "known_rows",
    "library_devices",
    "map_row_chunks",
    "native_bincount",
    "scaled_sum",
    "parse_device",
    "quiet_overflow",
    "resolve",
    "split_dataframe",
    "sum_of_squares",
    "synchronize",
    "syncs_cheaply",
    "text_array",
    "tile_rows",
    "to_device",
    "to_numpy",
]
