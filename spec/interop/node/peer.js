#!/usr/bin/env node
// Interop peer: WeCom's own crypto library (@wecom/crypto). Reads one JSON request on stdin,
// writes one JSON answer on stdout. Used by spec/callback/interop_spec.rb (callback crypto) and
// spec/client/js_sdk_interop_spec.rb (JS-SDK signatures).
'use strict';

const {
  getSignature, encrypt, decrypt, getJsApiSignature,
} = require('@wecom/crypto');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', () => {
  const req = JSON.parse(input);
  let out;
  switch (req.op) {
    case 'encrypt': {
      const random = req.random ? Buffer.from(req.random, 'utf8') : undefined;
      out = { encrypt: encrypt(req.key, req.message, req.id, random) };
      break;
    }
    case 'decrypt':
      out = decrypt(req.key, req.encrypt);
      out = { message: out.message, id: out.id };
      break;
    case 'sign':
      out = { signature: getSignature(req.token, req.timestamp, req.nonce, req.encrypt) };
      break;
    case 'jsapi':
      // WeCom's own JS-SDK signature (it signs the url exactly as given).
      out = getJsApiSignature({
        url: req.url, ticket: req.ticket, nonceStr: req.nonceStr, timestamp: req.timestamp,
      });
      break;
    default:
      throw new Error(`unknown op ${req.op}`);
  }
  process.stdout.write(JSON.stringify(out));
});
