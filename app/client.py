"""The poetry client's public names, where other programs import them from.

``from app.client import get_poetry, Poem`` is the documented way in; the
client itself lives in :mod:`app.net.client`, beside the rest of the network.
"""

from app.net.client import ConnectionLostError as ConnectionLostError
from app.net.client import EmptyPoemError as EmptyPoemError
from app.net.client import IdleTimeoutError as IdleTimeoutError
from app.net.client import Poem as Poem
from app.net.client import PoemTooLargeError as PoemTooLargeError
from app.net.client import PoetryClientFactory as PoetryClientFactory
from app.net.client import PoetryError as PoetryError
from app.net.client import PoetryProtocol as PoetryProtocol
from app.net.client import get_poetry as get_poetry
