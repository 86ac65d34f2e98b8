"""Rendering: trajectories on a surface to GIF, MP4, WebM, PNG frames or a still.

Only this package imports matplotlib (Agg, never pyplot), and only when a render
runs.
"""

from ._formats import OutputError as OutputError
from ._formats import OutputFormat as OutputFormat
from ._formats import check_output as check_output
from ._formats import destination_problem as destination_problem
from ._formats import format_of as format_of
from ._formats import formats as formats
from ._formats import output_problem as output_problem
from ._formats import register as register_format
from ._formats import scene_output_problem as scene_output_problem
from ._gif import MAX_GIF_FPS as MAX_GIF_FPS
from ._gif import GifSink as GifSink
from ._layout import mathtext_problem as mathtext_problem
from ._particles import ENSEMBLE_VIEWS as ENSEMBLE_VIEWS
from ._particles import Particles as Particles
from ._particles import particles as particles
from ._particles import views_problem as views_problem
from ._render import final_frame as final_frame
from ._render import preload as preload
from ._render import render as render
from ._render import render_frames as render_frames
from ._render import still as still
from ._sinks import FORMATS as FORMATS
from ._sinks import MOVIE_FORMATS as MOVIE_FORMATS
from ._sinks import STILL_FORMATS as STILL_FORMATS
from ._sinks import FFmpegSink as FFmpegSink
from ._sinks import NullSink as NullSink
from ._sinks import PngFolderSink as PngFolderSink
from ._sinks import Sink as Sink
from ._sinks import WriteError as WriteError
from ._sinks import saving as saving
from ._sinks import sink_for as sink_for
from ._spec import LOSS_SCALES as LOSS_SCALES
from ._spec import MARKERS as MARKERS
from ._spec import THEMES as THEMES
from ._spec import VIEWS as VIEWS
from ._spec import Camera as Camera
from ._spec import FramePlan as FramePlan
from ._spec import RenderSpec as RenderSpec
from ._spec import frame_plan as frame_plan
from ._spec import gif_durations_ms as gif_durations_ms
from ._spec import moves_early as moves_early

__all__ = [
    "ENSEMBLE_VIEWS",
    "FORMATS",
    "LOSS_SCALES",
    "MARKERS",
    "MAX_GIF_FPS",
    "MOVIE_FORMATS",
    "STILL_FORMATS",
    "THEMES",
    "VIEWS",
    "Camera",
    "FFmpegSink",
    "FramePlan",
    "GifSink",
    "NullSink",
    "OutputError",
    "OutputFormat",
    "Particles",
    "PngFolderSink",
    "RenderSpec",
    "Sink",
    "WriteError",
    "frame_plan",
    "check_output",
    "destination_problem",
    "format_of",
    "formats",
    "final_frame",
    "gif_durations_ms",
    "moves_early",
    "output_problem",
    "mathtext_problem",
    "particles",
    "preload",
    "register_format",
    "render",
    "render_frames",
    "saving",
    "scene_output_problem",
    "sink_for",
    "still",
    "views_problem",
]
