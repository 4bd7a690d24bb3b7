/* The run-time guard's hot path, compiled: one call per Session.run checks every fed id array.
 *
 * first_suspect(feed_dict, limits) -> None or a feed_dict key
 *
 * `limits` maps id(key) to the row count of the smallest table that key's ids index, or to None when the
 * key feeds no lookup. The result is None when every fed array with a limit holds ids in [0, limit).
 * Otherwise it is the first key that the Python path must look at: a key `limits` does not know yet, a value
 * this code does not read (not a C-contiguous, aligned, native-order integer buffer), or ids out of range;
 * or the feed itself when it is another mapping than a dict.
 *
 * Why C: right after a TensorFlow step the interpreter's and numpy's code are out of the CPU caches, and
 * the three numpy calls per array of the pure-Python check cost about 2 us each there; this is one call.
 * Ids are compared as unsigned, so a negative id becomes larger than any table and one max checks both
 * bounds. Large arrays go back to numpy, whose SIMD loops are faster than this scalar one.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Arrays longer than this are left to numpy (see above). */
#define MAX_ITEMS 65536

#define MAX_OF(type)                                              \
    {                                                             \
        const type *p = (const type *)view->buf;                  \
        type m = 0;                                               \
        for (Py_ssize_t i = 0; i < n; i++) m = p[i] > m ? p[i] : m; \
        *in_range = (unsigned long long)m < limit;                \
        return 1;                                                 \
    }

/* 1 and *in_range set when the buffer could be read as integers, else 0. */
static int max_below(const Py_buffer *view, unsigned long long limit, int *in_range)
{
    const char *format = view->format ? view->format : "B";
    if (*format == '@' || *format == '=')
        format++;
    if (format[0] == '\0' || format[1] != '\0' || view->itemsize <= 0)
        return 0;
    if ((uintptr_t)view->buf % (uintptr_t)view->itemsize)
        return 0;
    Py_ssize_t n = view->len / view->itemsize;
    if (n > MAX_ITEMS)
        return 0;
    char kind = format[0];
    switch (view->itemsize) {
    case 1:
        if (kind == 'b' || kind == 'B')
            MAX_OF(uint8_t)
        return 0;
    case 2:
        if (kind == 'h' || kind == 'H')
            MAX_OF(uint16_t)
        return 0;
    case 4:
        if (kind == 'i' || kind == 'I' || kind == 'l' || kind == 'L')
            MAX_OF(uint32_t)
        return 0;
    case 8:
        if (kind == 'l' || kind == 'L' || kind == 'q' || kind == 'Q')
            MAX_OF(uint64_t)
        return 0;
    default:
        return 0;
    }
}

static PyObject *first_suspect(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyDict_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "first_suspect(feed_dict, limits: dict)");
        return NULL;
    }
    if (!PyDict_Check(args[0]))
        return Py_NewRef(args[0]); /* another mapping: the Python path reads it */
    PyObject *feed = args[0], *limits = args[1];
    Py_ssize_t pos = 0;
    PyObject *key, *value;
    while (PyDict_Next(feed, &pos, &key, &value)) {
        PyObject *address = PyLong_FromVoidPtr(key);
        if (address == NULL)
            return NULL;
        PyObject *limit = PyDict_GetItemWithError(limits, address); /* borrowed */
        Py_DECREF(address);
        if (limit == NULL) {
            if (PyErr_Occurred())
                return NULL;
            return Py_NewRef(key); /* not seen yet */
        }
        if (limit == Py_None)
            continue;
        unsigned long long bound = PyLong_AsUnsignedLongLong(limit);
        if (bound == (unsigned long long)-1 && PyErr_Occurred())
            return NULL;
        Py_buffer view;
        if (PyObject_GetBuffer(value, &view, PyBUF_FORMAT | PyBUF_C_CONTIGUOUS) < 0) {
            PyErr_Clear();
            return Py_NewRef(key);
        }
        int in_range = 0;
        int known = max_below(&view, bound, &in_range);
        PyBuffer_Release(&view);
        if (!known || !in_range)
            return Py_NewRef(key);
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"first_suspect", (PyCFunction)(void (*)(void))first_suspect, METH_FASTCALL,
     "first_suspect(feed_dict, limits): None when every limited fed id array is in range, else the key to "
     "check in Python."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "tfinspect.runtime._guardcheck", NULL, -1, methods};

PyMODINIT_FUNC PyInit__guardcheck(void)
{
    return PyModule_Create(&module);
}
