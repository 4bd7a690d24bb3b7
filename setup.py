from setuptools import Extension, find_packages, setup

setup(
    name="tfinspect",
    version="0.1.0",
    description="See and check TensorFlow graph-mode (tf.compat.v1) programs before they run",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.10",
    packages=find_packages(include=["tfinspect", "tfinspect.*"]),
    package_data={"tfinspect": ["py.typed", "schemas/*.schema.json", "render/page/*"]},
    # The run-time guard's per-step check in C (tfinspect/runtime/_guardcheck.c). Optional: without a C compiler
    # the install still succeeds and the guard does the same check with numpy, a few microseconds slower.
    ext_modules=[Extension("tfinspect.runtime._guardcheck", ["tfinspect/runtime/_guardcheck.c"], optional=True)],
    install_requires=[
        # The CPU build is the one that runs everywhere; a machine with the
        # full `tensorflow` package installed already satisfies the import.
        "tensorflow-cpu>=2.16",
        "tensorboard>=2.16",  # GraphDef protos without importing TensorFlow
        "numpy>=1.23",
        "scipy>=1.9",  # reachability on CSR arrays (csgraph)
        "rich>=13",
        "graphviz>=0.20",
    ],
    extras_require={"test": ["pytest>=7", "pytest-xdist>=3", "jsonschema>=4"]},
    entry_points={"console_scripts": ["tfinspect = tfinspect.cli:main_exit"]},
)
