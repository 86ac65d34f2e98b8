"""Rendering: trajectories on a surface to GIF, MP4, WebM, PNG frames or a still.

Only this package imports matplotlib (Agg, never pyplot), and only when a render
runs.

Besides `render` and its kin, the pieces other front ends draw with are public
here too (the explorer, the notebook helpers, `optimotion study`): `prepare`
and `track` (trajectories as plain arrays), `get_theme` and `rc_context`,
`ContourPanel`, the panels' sizes and helpers, `player_html`, `study_plots`.
"""

from ._contour import ContourPanel as ContourPanel
from ._curves import curve_limits as curve_limits
from ._curves import tracks_loss_scale as tracks_loss_scale
from ._data import SurfaceData as SurfaceData
from ._data import prepare as prepare
from ._data import track as track
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
from ._html import player_html as player_html
from ._layout import mathtext_problem as mathtext_problem
from ._layout import rc_context as rc_context
from ._layout import surface_title as surface_title
from ._panels import HEAD_EDGE as HEAD_EDGE
from ._panels import HEAD_SIZE as HEAD_SIZE
from ._panels import LINE_WIDTH as LINE_WIDTH
from ._panels import diverged as diverged
from ._panels import head_index as head_index
from ._panels import trail_window as trail_window
from ._particles import ENSEMBLE_VIEWS as ENSEMBLE_VIEWS
from ._particles import Particles as Particles
from ._particles import particles as particles
from ._render import final_frame as final_frame
from ._render import preload as preload
from ._render import render as render
from ._render import render_frames as render_frames
from ._render import render_to as render_to
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
from ._spec import MAX_SIDE as MAX_SIDE
from ._spec import MIN_SIDE as MIN_SIDE
from ._spec import SETTINGS as SETTINGS
from ._spec import THEMES as THEMES
from ._spec import VIEW_DESCRIPTIONS as VIEW_DESCRIPTIONS
from ._spec import VIEWS as VIEWS
from ._spec import Camera as Camera
from ._spec import FramePlan as FramePlan
from ._spec import RenderSpec as RenderSpec
from ._spec import Setting as Setting
from ._spec import frame_plan as frame_plan
from ._spec import gif_durations_ms as gif_durations_ms
from ._spec import moves_early as moves_early
from ._study import StudySeries as StudySeries
from ._study import study_plots as study_plots
from ._theme import get_theme as get_theme

__all__ = [
    "ENSEMBLE_VIEWS",
    "FORMATS",
    "HEAD_EDGE",
    "HEAD_SIZE",
    "LINE_WIDTH",
    "LOSS_SCALES",
    "MARKERS",
    "MAX_SIDE",
    "MIN_SIDE",
    "MAX_GIF_FPS",
    "MOVIE_FORMATS",
    "STILL_FORMATS",
    "THEMES",
    "VIEWS",
    "VIEW_DESCRIPTIONS",
    "Camera",
    "ContourPanel",
    "FFmpegSink",
    "FramePlan",
    "GifSink",
    "NullSink",
    "OutputError",
    "OutputFormat",
    "Particles",
    "PngFolderSink",
    "RenderSpec",
    "SETTINGS",
    "Setting",
    "Sink",
    "StudySeries",
    "SurfaceData",
    "WriteError",
    "check_output",
    "curve_limits",
    "destination_problem",
    "diverged",
    "final_frame",
    "format_of",
    "formats",
    "frame_plan",
    "get_theme",
    "gif_durations_ms",
    "head_index",
    "mathtext_problem",
    "moves_early",
    "output_problem",
    "particles",
    "player_html",
    "preload",
    "prepare",
    "rc_context",
    "register_format",
    "render",
    "render_frames",
    "render_to",
    "saving",
    "scene_output_problem",
    "sink_for",
    "still",
    "study_plots",
    "surface_title",
    "track",
    "tracks_loss_scale",
    "trail_window",
]
