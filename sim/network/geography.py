"""Geography: degrees of longitude and latitude to the network's km frame.

The one place of the network package that knows the Earth's size. The GTFS importer and
the CSV reader both place lon/lat points with :func:`project_lonlat`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Mean Earth radius (km) used by the equirectangular projection.
EARTH_RADIUS_KM = 6371.0088


def project_lonlat(
    lon: Sequence[float] | np.ndarray, lat: Sequence[float] | np.ndarray, lon0: float, lat0: float
) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection of degrees to km east/north of (lon0, lat0); vectorised.

    Good to a fraction of a percent over a county (tens of km), which is all the network
    needs; not for continents or feeds crossing the antimeridian.

    >>> x, y = project_lonlat([119.1, 119.0], [31.6, 31.7], 119.0, 31.6)
    >>> round(float(x[0]), 2), round(float(y[1]), 2)
    (9.47, 11.12)
    """
    k = np.pi / 180.0 * EARTH_RADIUS_KM
    x = (np.asarray(lon, dtype=float) - lon0) * k * np.cos(np.radians(lat0))
    return x, (np.asarray(lat, dtype=float) - lat0) * k
