"""libvolcrypt's C API (volcrypt/volcrypt.h) as ctypes declarations."""

import ctypes

from . import _location


class Outcome(ctypes.Structure):
    _fields_ = [
        ("exit_code", ctypes.c_int),
        ("kind", ctypes.c_char * 32),
        ("message", ctypes.c_char * 2048),
    ]


class KeyInput(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("kind", ctypes.c_int),
        ("bytes", ctypes.c_void_p),
        ("size", ctypes.c_size_t),
        ("fd", ctypes.c_int),
    ]


KEY_INPUT_RAW = 1
KEY_INPUT_PASSPHRASE = 2

LogFunction = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p)


class OpenOptions(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("uri", ctypes.c_char_p),
        ("config_file", ctypes.c_char_p),
        ("plugin_dirs", ctypes.POINTER(ctypes.c_char_p)),
        ("log", LogFunction),
        ("log_user_data", ctypes.c_void_p),
        ("log_level", ctypes.c_int),
    ]


class Request(ctypes.Structure):
    _fields_ = [
        ("struct_size", ctypes.c_size_t),
        ("options_json", ctypes.c_char_p),
        ("key", ctypes.POINTER(KeyInput)),
        ("input", ctypes.c_char_p),
        ("input_size", ctypes.c_size_t),
        ("new_key", ctypes.POINTER(KeyInput)),
    ]


def _load():
    library = ctypes.CDLL(_location.LIBRARY)
    library.volcrypt_open.argtypes = [
        ctypes.POINTER(OpenOptions),
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(Outcome),
    ]
    library.volcrypt_open.restype = ctypes.c_int
    library.volcrypt_close.argtypes = [ctypes.c_void_p]
    library.volcrypt_close.restype = None
    library.volcrypt_call.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(Request),
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(Outcome),
    ]
    library.volcrypt_call.restype = ctypes.c_int
    library.volcrypt_free.argtypes = [ctypes.c_void_p]
    library.volcrypt_free.restype = None
    library.volcrypt_version.argtypes = []
    library.volcrypt_version.restype = ctypes.c_char_p
    return library


LIBRARY = _load()
