"""Fleet studies: what-if runs over many homes (distributions or a CSV) × battery
variants on the batch engine, executed on Dask, results in Parquet with a summary.

The layout: ``config`` reads study files, ``population`` draws or reads the homes,
``homes`` turns a home into a SiteSpec and its environment, ``chunk`` runs one block of
homes (the Dask task), ``execute`` schedules the blocks and streams the rows to Parquet,
``summary`` writes the tables and plots. ``gridtwin.fleet`` is the public entry.
"""
