"""Photo and video metadata: EXIF time and GPS, camera identity, DJI XMP tags."""

from forensics_lib.media.exif import EXIF, dji_xmp, photo_metadata, read_exif, read_photos

__all__ = ["EXIF", "dji_xmp", "photo_metadata", "read_exif", "read_photos"]
