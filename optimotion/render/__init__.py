"""Rendering: trajectories on a surface to GIF, MP4, WebM, PNG frames or a still.

Only this package imports matplotlib (Agg, never pyplot), and only when a render
runs.
"""

from ._gif import MAX_GIF_FPS as MAX_GIF_FPS
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
from ._sinks import GifSink as GifSink
from ._sinks import NullSink as NullSink
from ._sinks import PngFolderSink as PngFolderSink
from ._sinks import Sink as Sink
from ._sinks import check_output as check_output
from ._sinks import output_problem as output_problem
from ._sinks import saving as saving
from ._sinks import sink_for as sink_for
from ._spec import THEMES as THEMES
from ._spec import VIEWS as VIEWS
from ._spec import Camera as Camera
from ._spec import FramePlan as FramePlan
from ._spec import RenderSpec as RenderSpec
from ._spec import frame_plan as frame_plan
from ._spec import gif_durations_ms as gif_durations_ms

__all__ = [
    "ENSEMBLE_VIEWS",
    "FORMATS",
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
    "Particles",
    "PngFolderSink",
    "RenderSpec",
    "Sink",
    "frame_plan",
    "check_output",
    "final_frame",
    "gif_durations_ms",
    "output_problem",
    "particles",
    "preload",
    "render",
    "render_frames",
    "saving",
    "sink_for",
    "still",
    "views_problem",
]
