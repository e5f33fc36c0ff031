#!/usr/bin/env node
// Interop peer: WeCom's own crypto library (@wecom/crypto). Reads one JSON request on stdin,
// writes one JSON answer on stdout. Used by spec/callback/interop_spec.rb.
'use strict';

const { getSignature, encrypt, decrypt } = require('@wecom/crypto');

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
    default:
      throw new Error(`unknown op ${req.op}`);
  }
  process.stdout.write(JSON.stringify(out));
});
