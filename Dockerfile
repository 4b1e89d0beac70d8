# syntax=docker/dockerfile:1
# check=skip=InvalidDefaultArgInFrom
# The images of the five deployed services. SERVICE picks one: its Dapr app id, which is also the image name.
# Build from the repository root:
#   docker build --build-arg SERVICE=ingest -t daprvideo/ingest:0.1.0 .
# SERVICE is one of ingest, inference, playlist, notifier, modelserver; it has no default (the lint check above is skipped
# for that reason), so a build without it fails instead of building some other service.
ARG SERVICE

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS sdk
WORKDIR /src
# Restore from the project files alone, so a source edit reuses the cached package layer.
COPY Directory.Build.props Directory.Packages.props ./
COPY services/Core/DaprVideo.Core.csproj services/Core/
COPY services/Media/DaprVideo.Media.csproj services/Media/
COPY services/Onnx/DaprVideo.Onnx.csproj services/Onnx/
COPY services/Settings/DaprVideo.Settings.csproj services/Settings/
COPY services/ServiceDefaults/DaprVideo.ServiceDefaults.csproj services/ServiceDefaults/
COPY services/DaprAdapters/DaprVideo.DaprAdapters.csproj services/DaprAdapters/
COPY services/TfServing/DaprVideo.TfServing.csproj services/TfServing/
COPY services/Ingest/Module/DaprVideo.Ingest.Module.csproj services/Ingest/Module/
COPY services/Ingest/DaprVideo.Ingest.csproj services/Ingest/
COPY services/Inference/Module/DaprVideo.Inference.Module.csproj services/Inference/Module/
COPY services/Inference/DaprVideo.Inference.csproj services/Inference/
COPY services/Playlist/Module/DaprVideo.Playlist.Module.csproj services/Playlist/Module/
COPY services/Playlist/DaprVideo.Playlist.csproj services/Playlist/
COPY services/Notifier/Module/DaprVideo.Notifier.Module.csproj services/Notifier/Module/
COPY services/Notifier/DaprVideo.Notifier.csproj services/Notifier/
COPY services/ModelServer/DaprVideo.ModelServer.csproj services/ModelServer/

# The project each service publishes.
FROM sdk AS ingest-project
ENV PROJECT=services/Ingest/DaprVideo.Ingest.csproj
FROM sdk AS inference-project
ENV PROJECT=services/Inference/DaprVideo.Inference.csproj
FROM sdk AS playlist-project
ENV PROJECT=services/Playlist/DaprVideo.Playlist.csproj
FROM sdk AS notifier-project
ENV PROJECT=services/Notifier/DaprVideo.Notifier.csproj
FROM sdk AS modelserver-project
ENV PROJECT=services/ModelServer/DaprVideo.ModelServer.csproj

FROM ${SERVICE}-project AS build
RUN dotnet restore "$PROJECT"
COPY services/ services/
# ModelServer's project copies models/ssdlite_mobilenet_v2_coco.onnx next to the server; no other project reads models/.
COPY models/ models/
# ReadyToRun (PublishReadyToRun in each host project): precompiled for this SDK stage's architecture, so a start JITs little.
RUN dotnet publish "$PROJECT" -c Release --no-restore -o /app -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
WORKDIR /app

# ffmpeg cuts the video; its libraries (libavcodec59, libavformat59, libswscale6, installed with it) decode and encode
# chunks inside the service; SkiaSharp draws the labels in DejaVu Sans (Skia ships no font of its own).
FROM runtime AS media-runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Ingest: the stream control API and ffmpeg capture (HTTP 5101).
FROM media-runtime AS ingest
COPY --from=build /app ./
ENV APP_PORT=5101 \
    ASPNETCORE_HTTP_PORTS=5101
EXPOSE 5101
ENTRYPOINT ["dotnet", "DaprVideo.Ingest.dll"]

# Inference: ChunkCaptured -> detect (TF Serving / ModelServer) -> annotated H.264 segment (HTTP 5102).
FROM media-runtime AS inference
COPY --from=build /app ./
ENV APP_PORT=5102 \
    ASPNETCORE_HTTP_PORTS=5102
EXPOSE 5102
ENTRYPOINT ["dotnet", "DaprVideo.Inference.dll"]

# Playlist: SegmentAnnotated -> RFC 8216 HLS playlists, segments and the viewer (HTTP 5103).
# No ffmpeg: it only writes text and serves stored bytes.
FROM runtime AS playlist
COPY --from=build /app ./
ENV APP_PORT=5103 \
    ASPNETCORE_HTTP_PORTS=5103
EXPOSE 5103
ENTRYPOINT ["dotnet", "DaprVideo.Playlist.dll"]

# Notifier: TrackEventChanged on "events" -> the output bindings NOTIFY_BINDINGS names (HTTP 5104). No ffmpeg.
FROM runtime AS notifier
COPY --from=build /app ./
ENV APP_PORT=5104 \
    ASPNETCORE_HTTP_PORTS=5104
EXPOSE 5104
ENTRYPOINT ["dotnet", "DaprVideo.Notifier.dll"]

# ModelServer: TF Serving's gRPC (8500) and REST (8501) API on ONNX Runtime with the SSDLite MobileNetV2 COCO model
# baked in; the drop-in alternative to tensorflow/serving (Inference reaches either one through TF_SERVING_URL).
FROM runtime AS modelserver
COPY --from=build /app ./
RUN test -s models/ssdlite_mobilenet_v2_coco.onnx
# TF Serving's batching settings, so --batching_parameters_file works without a mount.
COPY services/ModelServer/tfserving/batching_parameters.txt /etc/tfserving/batching_parameters.txt
EXPOSE 8500 8501
ENTRYPOINT ["dotnet", "daprvideo-model-server.dll"]
CMD ["--port=8500", "--rest_api_port=8501", "--model_name=default"]

FROM ${SERVICE}
# The image's unprivileged "app" user (uid 1654).
USER $APP_UID
