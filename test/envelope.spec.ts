import { describe, expect, it } from 'vitest';
import { parseErrorEnvelope } from '../src/upstream/envelope.js';

describe('parseErrorEnvelope', () => {
  it('redacts the secret from every text it copies, after decoding escapes and before cutting', () => {
    const secret = 'MIIsecret/token+value==';
    const body = JSON.stringify({
      error_msg: `${'m'.repeat(1015)} ${secret}`,
      error_param: [secret],
      details: [{ code: 'X.1', message: `a ${secret} b` }],
      encoded_authorization_message: secret,
    }).replaceAll('/', '\\/');
    expect(parseErrorEnvelope(body, secret)).toEqual({
      errorMessage: `${'m'.repeat(1015)} [redacte…`,
      errorParams: ['[redacted]'],
      details: [{ errorCode: 'X.1', errorMessage: 'a [redacted] b' }],
      encodedAuthorizationMessage: '[redacted]',
    });
    expect(parseErrorEnvelope(body).errorParams).toEqual([secret]);
  });

  it('reads the SMS envelope', () => {
    expect(
      parseErrorEnvelope(
        JSON.stringify({
          error_code: 'SMS.9004',
          error_msg: 'denied',
          encoded_authorization_message: 'XXXX',
          error_param: ['p1', 'p2'],
          details: [{ error_code: 'SMS.9004', error_msg: 'detail' }],
        }),
      ),
    ).toEqual({
      errorCode: 'SMS.9004',
      errorMessage: 'denied',
      encodedAuthorizationMessage: 'XXXX',
      errorParams: ['p1', 'p2'],
      details: [{ errorCode: 'SMS.9004', errorMessage: 'detail' }],
    });
  });

  it('reads the API gateway envelope with its request id', () => {
    expect(
      parseErrorEnvelope(
        '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"r1"}',
      ),
    ).toEqual({
      errorCode: 'APIGW.0301',
      errorMessage: 'Incorrect IAM authentication information',
      requestId: 'r1',
    });
  });

  it('reads {code, message} and {error: {code, message}}', () => {
    expect(parseErrorEnvelope('{"code":"SMS.0001","message":"m"}')).toEqual({
      errorCode: 'SMS.0001',
      errorMessage: 'm',
    });
    expect(parseErrorEnvelope('{"error":{"code":"X.1","message":"nested"}}')).toEqual({
      errorCode: 'X.1',
      errorMessage: 'nested',
    });
  });

  it.each(['', '<html><body>502 Bad Gateway</body></html>', '[1,2]', 'null', '{"error_code":'])(
    'gives nothing for %j, never the raw text',
    (body) => {
      expect(parseErrorEnvelope(body)).toEqual({});
    },
  );

  it('caps long texts and lists', () => {
    const parsed = parseErrorEnvelope(
      JSON.stringify({
        error_msg: 'x'.repeat(5000),
        error_param: Array.from({ length: 50 }, (_, i) => `p${i}`),
      }),
    );
    expect(parsed.errorMessage).toHaveLength(1025);
    expect(parsed.errorParams).toHaveLength(20);
  });
});
