using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Pipeline.Application.Ingest;
using Pipeline.Application.Storage;
using Pipeline.Domain.Events;

namespace Pipeline.Application.Quarantine;

/// <summary>A quarantined event: where it was, why it was refused, and its exact bytes.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="SequenceNumber">The sequence number.</param>
/// <param name="EnqueuedTime">The enqueued time.</param>
/// <param name="Reason">The reason code.</param>
/// <param name="Message">What exactly is wrong.</param>
/// <param name="Body">The body as text, when it is valid UTF-8.</param>
/// <param name="BodyBase64">The body's bytes in base64, when it is not valid UTF-8 (entries written before also have it
/// beside the text).</param>
public sealed record QuarantinedEvent(
    int Partition,
    long SequenceNumber,
    DateTimeOffset EnqueuedTime,
    string Reason,
    string Message,
    string? Body,
    string? BodyBase64
);

/// <summary>
/// Writes refused events to the quarantine container, one blob per event named by partition and
/// sequence number (<c>{partition:D4}/{sequence:D20}.json</c>), created once: nothing is lost and a
/// redelivery does not duplicate an entry.
/// </summary>
internal sealed class QuarantineWriter(PipelineStore store)
{
    private static readonly UTF8Encoding StrictUtf8 = new(
        encoderShouldEmitUTF8Identifier: false,
        throwOnInvalidBytes: true
    );

    private static readonly BlobUploadOptions CreateOnly = new()
    {
        HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
        Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
    };

    public async Task WriteAsync(
        int partition,
        IncomingEvent incoming,
        EventRejection rejection,
        CancellationToken cancellationToken
    )
    {
        string? text;
        try
        {
            text = StrictUtf8.GetString(incoming.Body.Span);
        }
        catch (DecoderFallbackException)
        {
            text = null;
        }

        var record = new QuarantinedEvent(
            partition,
            incoming.SequenceNumber,
            incoming.EnqueuedTime,
            rejection.Reason.ToString(),
            rejection.Message,
            text,
            text is null ? Convert.ToBase64String(incoming.Body.Span) : null
        );
        var json = JsonSerializer.SerializeToUtf8Bytes(record, ApiJson.Options);
        try
        {
            await store
                .Quarantine.GetBlobClient(StorageLayout.Quarantine.Entry(partition, incoming.SequenceNumber))
                .UploadAsync(BinaryData.FromBytes(json), CreateOnly, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Already quarantined by an earlier delivery of the same event.
        }
    }
}
