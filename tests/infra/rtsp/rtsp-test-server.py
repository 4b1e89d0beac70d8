#!/usr/bin/python3
"""A real RTSP camera for the tests: GStreamer's RTSP server (gst-rtsp-server through PyGObject).

Serves a live test pattern as H.264 on /h264 and as H.265 on /h265, optionally behind basic or
digest credentials. RTSP over TCP (interleaved) and RTP over UDP are both allowed (the server's
default); the client picks with its transport setting. Each client gets its own pipeline, so
every session starts at the first frame with a keyframe.

Usage: rtsp-test-server.py --port N [--auth none|basic|digest] [--user U --password P]
                           [--size 320x240] [--rate 25] [--keyframe-seconds 1]
Prints "RTSP server ready on rtsp://127.0.0.1:N" once it listens; runs until killed.
Needs the system python3 (/usr/bin/python3) with python3-gi, gir1.2-gst-rtsp-server-1.0 and
gstreamer1.0-plugins-{base,good,ugly,bad} and gstreamer1.0-x (x264enc is in ugly, x265enc in bad, timeoverlay in -x).
"""
import argparse
import signal
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

ROLE = "camera-user"


def launch_line(encoder, payloader, width, height, rate, key_frames):
    caps = f"video/x-raw,width={width},height={height},framerate={rate}/1"
    # The ball moves with the wall clock and the clock is burned in, so a restarted server never repeats the
    # pictures it sent before (a test tells a re-delivered chunk from a new one by its bytes).
    return (f"( videotestsrc is-live=true pattern=ball animation-mode=wall-time ! {caps} ! timeoverlay ! "
            f"clockoverlay valignment=bottom time-format=%H:%M:%S ! videoconvert ! "
            f"{encoder} key-int-max={key_frames} ! {payloader} name=pay0 pt=96 config-interval=1 )")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
    parser.add_argument("--user", default="camera")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--size", default="320x240")
    parser.add_argument("--rate", type=int, default=25)
    parser.add_argument("--keyframe-seconds", type=float, default=1.0)
    args = parser.parse_args()

    Gst.init(None)
    width, height = (int(v) for v in args.size.split("x"))
    key_frames = max(1, int(round(args.rate * args.keyframe_seconds)))
    mounts = {
        "/h264": launch_line("x264enc tune=zerolatency speed-preset=ultrafast bitrate=500", "rtph264pay",
                             width, height, args.rate, key_frames),
        "/h265": launch_line("x265enc tune=zerolatency speed-preset=ultrafast bitrate=500", "rtph265pay",
                             width, height, args.rate, key_frames),
    }

    server = GstRtspServer.RTSPServer()
    server.set_address(args.bind)
    server.set_service(str(args.port))

    if args.auth != "none":
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, ROLE)
        if args.auth == "basic":
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
        else:
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
            auth.add_digest(args.user, args.password, token)
        server.set_auth(auth)

    for path, line in mounts.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(line)
        factory.set_shared(False)
        if args.auth != "none":
            permissions = GstRtspServer.RTSPPermissions()
            permissions.add_permission_for_role(ROLE, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
            permissions.add_permission_for_role(ROLE, GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
            factory.set_permissions(permissions)
        server.get_mount_points().add_factory(path, factory)

    if server.attach(None) == 0:
        print(f"cannot listen on {args.bind}:{args.port}", file=sys.stderr, flush=True)
        return 1
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGINT, loop.quit)
    print(f"RTSP server ready on rtsp://{args.bind}:{server.get_bound_port()} auth={args.auth}", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
